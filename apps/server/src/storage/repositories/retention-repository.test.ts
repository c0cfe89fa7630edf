import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDatabase } from '../../testing/test-databases.ts'
import type { Database } from '../database.ts'
import { upsertConversations } from './conversations-repository.ts'
import { ensureProject } from './projects-repository.ts'
import { deleteRowsBefore } from './retention-repository.ts'

// Two connections race here, so only PostgreSQL can show it (PGlite has one).
describe('deleteRowsBefore [postgres]', () => {
  let handle: Awaited<ReturnType<typeof openTestDatabase>>
  let db: Database
  beforeAll(async () => {
    handle = await openTestDatabase('postgres')
    db = handle.db
  })
  afterAll(async () => {
    await handle.dispose()
  })

  it('keeps a conversation that ingest saw again while the delete waited for it', async () => {
    const { project } = await ensureProject(db, 'retention-race')
    await upsertConversations(db, [
      {
        projectId: project.id,
        id: 'old-conv',
        userId: null,
        feature: null,
        firstSeenAt: '2025-01-01T00:00:00.000Z',
        lastSeenAt: '2025-01-01T00:00:00.000Z',
      },
    ])
    let updated: () => void = () => {}
    const updatedNow = new Promise<void>((resolve) => {
      updated = resolve
    })
    // An ingest statement that widens the conversation and commits a moment later.
    const ingest = db.transaction(async (tx) => {
      await tx.query(
        `UPDATE conversations SET last_seen_at = '2026-11-29T10:00:00Z' WHERE project_id = $1 AND id = 'old-conv'`,
        [project.id],
      )
      updated()
      await new Promise((resolve) => setTimeout(resolve, 300))
    })
    await updatedNow
    const deleted = await deleteRowsBefore(db, {
      table: 'conversations',
      projectId: project.id,
      beforeUtc: '2026-01-01T00:00:00.000Z',
      limit: 100,
    })
    await ingest
    expect(deleted).toBe(0)
    const { rows } = await db.query<{ id: string }>('SELECT id FROM conversations WHERE project_id = $1', [
      project.id,
    ])
    expect(rows).toEqual([{ id: 'old-conv' }])
  })
})
