import { expect, it } from 'vitest'
import { callRow, createProject } from '../jobs/__fixtures__/call-rows.ts'
import { describeEachDatabase } from '../testing/test-databases.ts'
import { writeCallBatch } from './write-call-batch.ts'

describeEachDatabase('writeCallBatch', (getDb) => {
  it('tells, per row of a mixed group, whether it was stored', async () => {
    const db = getDb()
    const [first, second] = [await createProject(db), await createProject(db)]
    expect(await writeCallBatch(db, [callRow(first, { idempotencyKey: 'stored-before' })])).toEqual([true])

    const stored = await writeCallBatch(db, [
      callRow(first, { idempotencyKey: 'k', conversationId: 'c', timestamp: '2025-03-10T10:00:00Z' }),
      // The same key in another project is another call.
      callRow(second, { idempotencyKey: 'k', conversationId: 'c' }),
      // A second request of the same group with the first one's key: a duplicate.
      callRow(first, { idempotencyKey: 'k', conversationId: 'c', timestamp: '2025-03-10T09:00:00Z' }),
      callRow(first, { idempotencyKey: 'stored-before' }),
      callRow(first, { idempotencyKey: null }),
    ])
    expect(stored).toEqual([true, true, false, false, true])

    const counts = await db.query<{ projectId: string; calls: number; conversations: number }>(
      `SELECT p.id AS "projectId",
         (SELECT count(*) FROM llm_calls c WHERE c.project_id = p.id)::int AS calls,
         (SELECT count(*) FROM conversations v WHERE v.project_id = p.id)::int AS conversations
       FROM (VALUES ($1::uuid), ($2::uuid)) AS p (id) ORDER BY p.id = $2`,
      [first, second],
    )
    expect(counts.rows).toEqual([
      { projectId: first, calls: 3, conversations: 1 },
      { projectId: second, calls: 1, conversations: 1 },
    ])
    // A duplicate within the group is dropped before anything is written, its time included.
    const window = await db.query<{ first: string }>(
      `SELECT to_char(first_seen_at AT TIME ZONE 'UTC', 'HH24:MI') AS first FROM conversations WHERE project_id = $1`,
      [first],
    )
    expect(window.rows).toEqual([{ first: '10:00' }])
  })
})
