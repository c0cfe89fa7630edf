import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { migrateUp } from '../storage/migrator.ts'
import { openPostgresDatabase } from '../storage/postgres-database.ts'
import { createTestApp } from '../testing/create-test-app.ts'
import { startFreezingProxy } from '../testing/freezing-proxy.ts'
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

// How long the hung database below holds a statement or a new connection before it fails.
const HANG_MS = 600

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
})

/**
 * The ingest app on a migrated schema reached through a proxy that can go silent: connections
 * accepted, nothing answered, as a hung PostgreSQL or a network that drops packets.
 */
async function appBehindFreezingProxy() {
  const proxy = await startFreezingProxy()
  cleanups.push(() => proxy.close())
  const schema = `test_${randomBytes(6).toString('hex')}`
  const db = await openPostgresDatabase({
    connectionString: proxy.url,
    schema,
    poolSize: 5,
    connectTimeoutMs: HANG_MS,
  })
  cleanups.push(async () => {
    await db.close()
    const admin = await openPostgresDatabase({ connectionString: TEST_POSTGRES_URL })
    await admin.query(`DROP SCHEMA ${schema} CASCADE`)
    await admin.close()
  })
  await migrateUp(db)
  const t = await createTestApp(db.withQueryTimeout(HANG_MS))
  return { t, proxy }
}

/** Posts one event with its own key. */
const postOne = (t: Awaited<ReturnType<typeof createTestApp>>, key: string) =>
  t.postEvents([{ ...event, idempotencyKey: key }])

// The breaker's own answer: the request was refused without waiting for the database.
const refusedByBreaker = {
  error: { code: 'DATABASE_UNAVAILABLE', message: expect.stringContaining('The database is unavailable') },
}

describe('ingest while PostgreSQL hangs', () => {
  it('refuses requests at once after a wave of them failed on one shared write', async () => {
    const { t, proxy } = await appBehindFreezingProxy()
    // Key, prices and retention cut read and cached: from now on only the write needs the database.
    expect((await t.postEvents([event])).status).toBe(200)
    proxy.freeze()
    const wave = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) => t.postEvents([{ ...event, idempotencyKey: `w${n}` }])),
    )
    for (const failed of wave) expect(failed.body).toMatchObject({ error: { code: 'DATABASE_UNAVAILABLE' } })
    // Each request of the wave counted, not its write once.
    expect(t.ingest.breaker.state).toBe('open')
    const refused = await postOne(t, 'after-wave')
    expect(refused.status).toBe(503)
    expect(refused.response.headers.get('retry-after')).toMatch(/^[1-5]$/)
    expect(refused.body).toMatchObject(refusedByBreaker)
  })

  it('refuses requests at once after API-key look-ups failed', async () => {
    const { t, proxy } = await appBehindFreezingProxy()
    proxy.freeze()
    // The key was never looked up: each request waits for the database, then fails.
    for (let attempt = 0; attempt < 5; attempt++) {
      const failed = await postOne(t, `k${attempt}`)
      expect(failed.status).toBe(503)
      expect(failed.body).not.toMatchObject(refusedByBreaker)
    }
    const refused = await postOne(t, 'after-lookups')
    expect(refused.status).toBe(503)
    expect(refused.body).toMatchObject(refusedByBreaker)
  })

  it('refuses requests at once after reloads of the retention cut failed', async () => {
    const { t, proxy } = await appBehindFreezingProxy()
    expect((await t.postEvents([event])).status).toBe(200)
    proxy.freeze()
    for (let attempt = 0; attempt < 5; attempt++) {
      // As when the cut moved (or the cache expired): read again, and no value of it is known.
      t.ingest.retentionCutoffs.invalidate(t.project.id)
      expect((await postOne(t, `r${attempt}`)).status).toBe(503)
    }
    t.ingest.retentionCutoffs.invalidate(t.project.id)
    const refused = await postOne(t, 'after-reloads')
    expect(refused.body).toMatchObject(refusedByBreaker)
  })
})

describe('the circuit opened by failed ingest', () => {
  it('refuses ingest but not reads: a lock on the calls table fails writes, not look-ups', async () => {
    const { db, dispose } = await openTestDatabase('postgres')
    try {
      const t = await createTestApp(db)
      // Five ingest writes failed transiently (a lock not granted, say) while the database answers reads.
      const lockNotAvailable = Object.assign(new Error('canceling statement due to lock timeout'), {
        code: '55P03',
      })
      for (let failure = 0; failure < 5; failure++) {
        await t.ingest.breaker
          .run(
            () => Promise.reject(lockNotAvailable),
            () => true,
          )
          .catch(() => {})
      }
      expect(t.ingest.breaker.state).toBe('open')
      // The key is not cached yet: a read looks it up, and is answered.
      expect((await t.get('/v1/events')).status).toBe(200)
      expect((await t.postEvents([event])).body).toMatchObject(refusedByBreaker)
    } finally {
      await dispose()
    }
  })
})
