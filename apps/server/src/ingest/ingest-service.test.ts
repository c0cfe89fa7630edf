import { randomBytes } from 'node:crypto'
import { expect, it } from 'vitest'
import { createApp } from '../http/create-app.ts'
import { generateApiKey } from '../keys/api-key.ts'
import { createLogger } from '../logging/logger.ts'
import type { Database } from '../storage/database.ts'
import { insertApiKey } from '../storage/repositories/api-keys-repository.ts'
import { ensureProject } from '../storage/repositories/projects-repository.ts'
import { saveRawDeletedBefore } from '../storage/repositories/retention-repository.ts'
import { createTestApp } from '../testing/create-test-app.ts'
import { describeEachDatabase } from '../testing/test-databases.ts'
import { createIngestService } from './ingest-service.ts'

const nowMs = Date.parse('2026-11-30T12:00:00.000Z')
const now = () => nowMs

const event = {
  idempotencyKey: 'plain',
  timestamp: '2026-11-29T10:00:00.000Z',
  provider: 'openai',
  model: 'gpt-4o-mini',
  usage: { inputTokens: 1_000, outputTokens: 100 },
}

/** The JSON text of `value` with a `metadata` of `{"a":[[…]]}`, `levels` deep in all (too deep to stringify). */
function withNestedMetadata(value: Record<string, unknown>, levels: number): string {
  const metadata = `{"a":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`
  return `${JSON.stringify(value).slice(0, -1)},"metadata":${metadata}}`
}

/**
 * `db`, except that its first write of calls commits and then fails as a connection lost before the
 * answer came does: the write's outcome is unknown to the server, which tries it again.
 */
function losingConnectionAfterFirstCommit(db: Database): Database {
  let lost = false
  return {
    dialect: db.dialect,
    async query(sql, params) {
      const result = await db.query(sql, params)
      if (!lost && sql.includes('INSERT INTO llm_calls')) {
        lost = true
        throw new Error('Connection terminated unexpectedly')
      }
      return result
    },
    exec: (sql) => db.exec(sql),
    transaction: (work) => db.transaction(work),
    withConnection: (work) => db.withConnection(work),
    withQueryTimeout: () => losingConnectionAfterFirstCommit(db),
    close: () => db.close(),
  } as Database
}

describeEachDatabase('ingest', (getDb) => {
  it('stores keyless calls once when a write that committed is tried again after a lost connection', async () => {
    const t = await createTestApp(losingConnectionAfterFirstCommit(getDb()), { now })
    const keyless = { ...event, idempotencyKey: undefined }
    const posted = await t.postEvents([keyless, { ...keyless, model: 'gpt-4o' }, keyless])
    expect(posted.body).toEqual({ accepted: 3, duplicates: 0, errors: [] })
    const { rows } = await getDb().query<{ key: string; model: string }>(
      'SELECT idempotency_key AS key, model FROM llm_calls WHERE project_id = $1 ORDER BY model',
      [t.project.id],
    )
    expect(rows.map(({ model }) => model)).toEqual(['gpt-4o', 'gpt-4o-mini', 'gpt-4o-mini'])
    // Each has a key of the server's, shown by GET /v1/events.
    expect(new Set(rows.map(({ key }) => key)).size).toBe(3)
    for (const { key } of rows) expect(key).toMatch(/^server-[0-9a-f-]{36}$/)
    const listed = await t.get('/v1/events')
    expect(
      (listed.body.data as Array<{ idempotencyKey: string }>)
        .map(({ idempotencyKey }) => idempotencyKey)
        .sort(),
    ).toEqual(rows.map(({ key }) => key).sort())
  })

  it('refuses a call older than what retention deleted, which the summaries would never count', async () => {
    const t = await createTestApp(getDb(), { now })
    await saveRawDeletedBefore(getDb(), { projectId: t.project.id, beforeUtc: '2026-11-01T00:00:00.000Z' })
    const old = { ...event, idempotencyKey: 'old', timestamp: '2026-10-31T23:59:59.000Z' }
    const kept = { ...event, idempotencyKey: 'kept', timestamp: '2026-11-01T00:00:00.000Z' }
    const response = await t.postEvents([old, kept])
    expect(response.status).toBe(207)
    expect(response.body).toEqual({
      accepted: 1,
      duplicates: 0,
      errors: [
        {
          index: 0,
          path: 'timestamp',
          code: 'TIMESTAMP_TOO_OLD',
          message:
            "is before 2026-11-01T00:00:00.000Z: retention already deleted this project's raw calls before then and keeps only their daily totals, which a late call cannot join; send calls from that time on (raising the retention days keeps more from now on, but does not reopen that time)",
        },
      ],
    })
  })

  it('refuses metadata nested a million levels deep as that event alone, and stores the rest', async () => {
    const t = await createTestApp(getDb(), { now })
    // About 2 MB: within the body limit.
    const deep = withNestedMetadata({ ...event, idempotencyKey: 'deep' }, 1_000_000)
    const post = async (body: string) => {
      const response = await t.app.request('/v1/events', { method: 'POST', headers: t.headers, body })
      return { status: response.status, response, body: (await response.json()) as Record<string, unknown> }
    }
    const mixed = await post(`{"events":[${deep},${JSON.stringify(event)}]}`)
    expect(mixed.status).toBe(207)
    expect(mixed.body).toEqual({
      accepted: 1,
      duplicates: 0,
      errors: [
        {
          index: 0,
          path: 'metadata',
          code: 'TOO_LARGE',
          message: 'nests objects and arrays more than 32 levels deep; flatten it, e.g. with dotted keys',
        },
      ],
    })
    const alone = await post(`{"events":[${deep}]}`)
    expect(alone.status).toBe(400)
    expect(alone.response.headers.get('retry-after')).toBeNull()
    expect(alone.body).toMatchObject({
      error: { code: 'INVALID_EVENTS', details: [{ index: 0, path: 'metadata', code: 'TOO_LARGE' }] },
    })
    const { rows } = await getDb().query<{ key: string }>(
      'SELECT idempotency_key AS key FROM llm_calls WHERE project_id = $1',
      [t.project.id],
    )
    expect(rows).toEqual([{ key: 'plain' }])
  })

  it('writes nothing for a duplicate: not its conversation, nor its time, user or feature', async () => {
    const db = getDb()
    const t = await createTestApp(db, { now })
    const first = { ...event, idempotencyKey: 'convdup', conversationId: 'convA' }
    expect((await t.postEvents([first])).body).toMatchObject({ accepted: 1, duplicates: 0 })
    const resends = [
      { ...first, conversationId: 'convB' },
      { ...first, userId: 'uX', feature: 'fX', timestamp: '2026-11-01T10:00:00.000Z' },
    ]
    for (const resend of resends) {
      expect((await t.postEvents([resend])).body).toEqual({ accepted: 0, duplicates: 1, errors: [] })
    }
    const calls = await db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM llm_calls WHERE project_id = $1',
      [t.project.id],
    )
    expect(calls.rows).toEqual([{ count: 1 }])
    const conversations = await db.query(
      `SELECT id, user_id, feature, to_char(first_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS first,
         to_char(last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS last
       FROM conversations WHERE project_id = $1`,
      [t.project.id],
    )
    expect(conversations.rows).toEqual([
      { id: 'convA', user_id: null, feature: null, first: '2026-11-29 10:00', last: '2026-11-29 10:00' },
    ])
  })

  it('refuses a call whose cost overflows the stored amount as that event alone, and stores the rest', async () => {
    const t = await createTestApp(getDb(), { now, scopes: ['ingest', 'read', 'admin'] })
    const override = await t.app.request('/v1/price-overrides', {
      method: 'POST',
      headers: t.headers,
      body: JSON.stringify({
        provider: 'acme',
        model: 'expensive',
        effectiveFrom: '2026-01-01',
        prices: { input: '999999999', output: '999999999' },
      }),
    })
    expect(override.status).toBe(201)
    const overrideId = ((await override.json()) as { id: string }).id
    const expensive = {
      ...event,
      idempotencyKey: 'expensive',
      provider: 'acme',
      model: 'expensive',
      usage: { inputTokens: 1_000_000_000, outputTokens: 1_000_000_000 },
    }
    const posted = await t.postEvents([expensive, event])
    expect(posted.status).toBe(207)
    expect(posted.body).toEqual({
      accepted: 1,
      duplicates: 0,
      errors: [
        {
          index: 0,
          path: 'usage',
          code: 'TOO_LARGE',
          message: `costs 1999999998000.000000000000 USD at the override price ${overrideId}, more than the 999999999.999999999999 USD one call is accepted with; check the token counts and that price`,
        },
      ],
    })
    const listed = await t.get('/v1/events')
    expect(listed.body.data).toEqual([
      expect.objectContaining({ idempotencyKey: 'plain', costStatus: 'priced' }),
    ])
    // Just inside the limit: nine whole digits, so an hour's sums in the rollups still fit the column.
    const largest = {
      ...expensive,
      idempotencyKey: 'largest',
      usage: { inputTokens: 1_000_000, outputTokens: 0 },
    }
    const justOver = {
      ...largest,
      idempotencyKey: 'just-over',
      usage: { inputTokens: 1_000_001, outputTokens: 0 },
    }
    const stored = await t.postEvents([largest, justOver])
    expect(stored.body).toMatchObject({
      accepted: 1,
      duplicates: 0,
      errors: [{ index: 1, code: 'TOO_LARGE' }],
    })
    const { rows } = await getDb().query<{ cost: string }>(
      `SELECT cost_usd::text AS cost FROM llm_calls WHERE project_id = $1 AND idempotency_key = 'largest'`,
      [t.project.id],
    )
    expect(rows).toEqual([{ cost: '999999999.000000000000' }])

    // A refused event does not take its idempotency key: a valid one with that key after it is stored.
    const retried = { ...justOver, usage: { inputTokens: 1, outputTokens: 0 } }
    const resent = await t.postEvents([justOver, retried])
    expect(resent.body).toMatchObject({
      accepted: 1,
      duplicates: 0,
      errors: [{ index: 0, path: 'usage', code: 'TOO_LARGE' }],
    })
  })

  it('answers 500 INTERNAL_ERROR, logged and without Retry-After, for a failure that is not the database', async () => {
    const db = getDb()
    const { project } = await ensureProject(db, `p-${randomBytes(4).toString('hex')}`)
    const key = generateApiKey()
    await insertApiKey(db, { projectId: project.id, key, origin: 'generated', scopes: ['ingest'] })
    const logged: string[] = []
    const ingest = createIngestService({
      db,
      groupCommitMs: 1,
      maxFutureSkewMs: 3_600_000,
      now,
      // A bug: what a RangeError or TypeError from anywhere on the ingest path looks like.
      priceOverrides: {
        get: () => Promise.reject(new RangeError('Maximum call stack size exceeded')),
        invalidate: () => {},
      },
    })
    const app = createApp({
      db,
      ingest,
      logger: createLogger({ level: 'error', write: (line) => logged.push(line) }),
    })
    const response = await app.request('/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [event] }),
    })
    expect(response.status).toBe(500)
    expect(response.headers.get('retry-after')).toBeNull()
    expect(await response.json()).toMatchObject({ error: { code: 'INTERNAL_ERROR' } })
    expect(logged.join('\n')).toContain('RangeError: Maximum call stack size exceeded')
    expect(ingest.breaker.state).toBe('closed')
  })
})
