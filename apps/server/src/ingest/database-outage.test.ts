import { describe, expect, it } from 'vitest'
import { openPostgresDatabase } from '../storage/postgres-database.ts'
import { createTestApp } from '../testing/create-test-app.ts'
import { openTestDatabase, TEST_POSTGRES_URL } from '../testing/test-databases.ts'

const event = {
  idempotencyKey: 'outage-1',
  timestamp: '2026-11-22T10:00:00.000Z',
  provider: 'openai',
  model: 'gpt-4o-mini',
  usage: { inputTokens: 10, outputTokens: 5 },
}

describe('ingest while PostgreSQL is unreachable', () => {
  it('answers 503 with Retry-After, then fails fast while the circuit is open', async () => {
    const { db, schema, dispose } = await openTestDatabase('postgres')
    try {
      const t = await createTestApp(db)
      expect((await t.postEvents([event])).status).toBe(200)
      // Ending the pool makes every query fail the way a lost connection does: the database is gone.
      const admin = await openPostgresDatabase({ connectionString: TEST_POSTGRES_URL })
      try {
        await db.close()
        const first = await t.postEvents([{ ...event, idempotencyKey: 'outage-2' }])
        expect(first.status).toBe(503)
        expect(first.response.headers.get('retry-after')).toMatch(/^\d+$/)
        expect(first.body).toMatchObject({ error: { code: 'DATABASE_UNAVAILABLE' } })
        for (let attempt = 0; attempt < 5; attempt++)
          await t.postEvents([{ ...event, idempotencyKey: `outage-${attempt}` }])
        expect(t.ingest.breaker.state).toBe('open')
        const fast = await t.postEvents([{ ...event, idempotencyKey: 'outage-fast' }])
        expect(fast.status).toBe(503)
        // A batch with no valid event needs no database, even when the project's prices must be reread.
        t.ingest.priceOverrides.invalidate(t.project.id)
        const invalid = await t.postEvents([
          { ...event, idempotencyKey: 'outage-bad', usage: { inputTokens: -1 } },
        ])
        expect(invalid.status).toBe(400)
        expect(invalid.body).toMatchObject({ error: { code: 'INVALID_EVENTS' } })
        const { rows } = await admin.query<{ count: number }>(
          `SELECT count(*)::int AS count FROM ${schema}.llm_calls`,
        )
        expect(rows[0]?.count).toBe(1)
      } finally {
        await admin.query(`DROP SCHEMA ${schema} CASCADE`)
        await admin.close()
      }
    } finally {
      await dispose().catch(() => {})
    }
  })
})
