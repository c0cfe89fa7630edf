import { sumUsd } from '@ai-cost-profiler/core'
import { expect, it } from 'vitest'
import { priceEvent } from '../ingest/price-event.ts'
import { insertPriceOverride } from '../storage/repositories/price-overrides-repository.ts'
import { saveRawDeletedBefore } from '../storage/repositories/retention-repository.ts'
import { createTestApp } from '../testing/create-test-app.ts'
import { describeEachDatabase } from '../testing/test-databases.ts'
import { generateDemoEvents } from './generate-demo-events.ts'
import { seedDemoData } from './seed-demo-data.ts'

const NOW_MS = Date.parse('2026-11-22T12:00:00.000Z')
const EVENT_COUNT = 3_000
const RANGE = `from=2026-11-01T00:00:00Z&to=2026-11-23T00:00:00Z`

interface SeededRow {
  costUsd: string | null
  costStatus: string
  provider: string
  status: string
  cacheReadInputTokens: number
  cacheWriteInputTokens: number
  cacheWrite1hInputTokens: number
  reasoningTokens: number
  serviceTier: string
}

describeEachDatabase('seedDemoData', (getDb) => {
  it('stores every event, priced as ingest prices it, and the summary adds the costs up exactly', async () => {
    const db = getDb()
    const t = await createTestApp(db)
    const progress: number[] = []
    const result = await seedDemoData({
      db,
      projectName: t.project.name,
      eventCount: EVENT_COUNT,
      days: 14,
      seedValue: 11,
      nowMs: NOW_MS,
      rowsPerStatement: 700,
      onProgress: (done) => progress.push(done),
    })
    expect(result).toMatchObject({ projectId: t.project.id, inserted: EVENT_COUNT, duplicates: 0 })
    expect(progress.at(-1)).toBe(EVENT_COUNT)
    // Chunks of about 700 rows, ending on a conversation's last message.
    expect(progress.length).toBeGreaterThanOrEqual(4)
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(EVENT_COUNT / 700))

    const { rows } = await db.query<SeededRow>(
      `SELECT cost_usd::text AS "costUsd", cost_status AS "costStatus", provider, status, service_tier AS "serviceTier",
         cache_read_input_tokens AS "cacheReadInputTokens", cache_write_input_tokens AS "cacheWriteInputTokens",
         cache_write_1h_input_tokens AS "cacheWrite1hInputTokens", reasoning_tokens AS "reasoningTokens"
       FROM llm_calls WHERE project_id = $1`,
      [t.project.id],
    )
    expect(rows).toHaveLength(EVENT_COUNT)
    const summary = await t.get(`/v1/analytics/summary?${RANGE}`)
    expect(summary.status).toBe(200)
    expect(summary.body.requests).toBe(EVENT_COUNT)
    expect(summary.body.totalCostUsd).toBe(
      sumUsd(rows.flatMap((row) => (row.costUsd === null ? [] : [row.costUsd]))),
    )
    expect(Number(summary.body.totalCostUsd)).toBeGreaterThan(0)
    const byProvider = summary.body.byProvider as Array<{ provider: string; costUsd: string }>
    expect(byProvider.map((group) => group.provider).sort()).toEqual(['anthropic', 'google', 'openai'])
    expect(sumUsd(byProvider.map((group) => group.costUsd))).toBe(summary.body.totalCostUsd)

    const count = (predicate: (row: SeededRow) => boolean) => rows.filter(predicate).length
    expect(count((row) => row.status === 'error')).toBe(summary.body.errors)
    expect(summary.body.errors).toBeGreaterThan(0)
    expect(count((row) => row.costStatus === 'unpriced')).toBe(summary.body.unpricedRequests)
    expect(summary.body.unpricedRequests).toBeGreaterThan(0)
    expect(count((row) => row.costStatus === 'unpriced')).toBeLessThan(EVENT_COUNT * 0.03)
    expect(count((row) => row.cacheReadInputTokens > 0)).toBeGreaterThan(0)
    expect(count((row) => row.cacheWriteInputTokens > 0)).toBeGreaterThan(0)
    expect(count((row) => row.cacheWrite1hInputTokens > 0)).toBeGreaterThan(0)
    expect(count((row) => row.reasoningTokens > 0)).toBeGreaterThan(0)
    expect(count((row) => row.serviceTier !== 'standard')).toBeGreaterThan(0)

    const related = await db.query<{ conversations: number; messages: number; failures: number }>(
      `SELECT (SELECT count(*)::int FROM conversations WHERE project_id = $1) AS conversations,
         (SELECT count(*)::int FROM messages WHERE project_id = $1) AS messages,
         (SELECT count(*)::int FROM observability_events WHERE project_id = $1 AND event_type = 'llm_call.failed') AS failures`,
      [t.project.id],
    )
    expect(related.rows[0]?.conversations).toBeGreaterThan(50)
    expect(related.rows[0]?.messages).toBeGreaterThan(related.rows[0]?.conversations ?? 0)
    expect(related.rows[0]?.failures).toBe(summary.body.errors)
  })

  it("prices with the project's price overrides, exactly as ingest prices the same events", async () => {
    const db = getDb()
    const t = await createTestApp(db)
    const created = await insertPriceOverride(db, {
      projectId: t.project.id,
      provider: 'openai',
      model: 'gpt-4o-mini',
      effectiveFrom: '2026-01-01T00:00:00.000Z',
      prices: { input: '100', output: '100' },
    })
    if (created.status !== 'created') throw new Error('the override was not created')
    const options = { eventCount: 1_500, days: 7, seedValue: 21, nowMs: NOW_MS }
    await seedDemoData({ db, projectName: t.project.name, ...options })

    const { rows } = await db.query<{
      key: string
      costUsd: string | null
      source: string | null
      entry: string | null
    }>(
      `SELECT idempotency_key AS key, cost_usd::text AS "costUsd", price_source AS source, price_entry_id AS entry
       FROM llm_calls WHERE project_id = $1`,
      [t.project.id],
    )
    const stored = new Map(rows.map((row) => [row.key, row]))
    // Ingest prices an event with `priceEvent` and the overrides of its project.
    const overrides = [created.record]
    let overridden = 0
    for (const event of generateDemoEvents(options)) {
      const cost = priceEvent(event, overrides)
      if (cost.priceSource === 'override') overridden++
      expect(stored.get(event.idempotencyKey ?? ''), event.idempotencyKey).toMatchObject({
        costUsd: cost.costUsd,
        source: cost.priceSource,
        entry: cost.priceEntryId,
      })
    }
    expect(stored.size).toBe(1_500)
    expect(overridden).toBeGreaterThan(0)
    expect(
      rows.filter((row) => row.source === 'override').every((row) => row.entry === created.record.id),
    ).toBe(true)
  })

  it('adds nothing when run again with the same seed value, even later; another seed value adds new events', async () => {
    const db = getDb()
    const t = await createTestApp(db)
    const seed = (seedValue: number, nowMs: number) =>
      seedDemoData({
        db,
        projectName: t.project.name,
        eventCount: 1_200,
        days: 7,
        seedValue,
        nowMs,
        rowsPerStatement: 500,
      })
    expect(await seed(5, NOW_MS)).toMatchObject({ inserted: 1_200, duplicates: 0 })
    expect(await seed(5, NOW_MS + 3_600_000)).toMatchObject({ inserted: 0, duplicates: 1_200 })
    expect(await seed(6, NOW_MS)).toMatchObject({ inserted: 1_200, duplicates: 0 })
    const { rows } = await db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM llm_calls WHERE project_id = $1',
      [t.project.id],
    )
    expect(rows[0]?.count).toBe(2_400)
  })

  it('leaves out the events before the retention cut, as ingest refuses them, and says how many', async () => {
    const db = getDb()
    const t = await createTestApp(db)
    const cut = '2026-11-20T00:00:00.000Z'
    await saveRawDeletedBefore(db, { projectId: t.project.id, beforeUtc: cut })
    const progress: number[] = []
    const result = await seedDemoData({
      db,
      projectName: t.project.name,
      eventCount: 1_000,
      days: 7,
      seedValue: 8,
      nowMs: NOW_MS,
      onProgress: (done) => progress.push(done),
    })
    const { rows } = await db.query<{ kept: number; early: number }>(
      `SELECT count(*)::int AS kept, count(*) FILTER (WHERE timestamp < $2)::int AS early
       FROM llm_calls WHERE project_id = $1`,
      [t.project.id, cut],
    )
    expect(rows[0]?.early).toBe(0)
    expect(result.beforeRetentionCut).toBeGreaterThan(0)
    expect(result).toMatchObject({
      inserted: rows[0]?.kept,
      duplicates: 0,
      retentionCutUtc: '2026-11-20T00:00:00Z',
    })
    expect(result.inserted + result.beforeRetentionCut).toBe(1_000)
    expect(progress.at(-1)).toBe(1_000)
  })
})
