import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import { aggregateDays } from '../../jobs/__fixtures__/aggregate-days.ts'
import { callRow, insertCalls } from '../../jobs/__fixtures__/call-rows.ts'
import { JobMetrics } from '../../jobs/job-metrics.ts'
import { runRetention } from '../../jobs/retention.ts'
import { refreshRollups } from '../../jobs/rollup-refresh.ts'
import { createLogger } from '../../logging/logger.ts'
import type { Database } from '../../storage/database.ts'
import { getCostSummary } from '../../storage/repositories/analytics-repository.ts'
import { finishJobRun, insertJobRun } from '../../storage/repositories/job-runs-repository.ts'
import { markHours, markHoursInRange } from '../../storage/repositories/rollups-repository.ts'
import { createTestApp } from '../../testing/create-test-app.ts'
import { describeEachDatabase } from '../../testing/test-databases.ts'

const logger = createLogger({ level: 'silent' })
const NOW = Date.parse('2025-09-10T12:30:00Z')

type TestApp = Awaited<ReturnType<typeof createTestApp>>

// The refresh keeps its watermark a minute behind the clock in production (slow transactions); here every
// row is committed before the refresh starts, so the watermark may reach the newest row.
const refresh = (db: Database) => refreshRollups({ db, logger, metrics: new JobMetrics(), overlapMs: 0 })

const aggregate = (db: Database, days: string[]) => aggregateDays(db, days, () => NOW)

async function summary(t: TestApp, fromUtc: string, toUtc: string) {
  const response = await t.get(`/v1/analytics/summary?from=${fromUtc}&to=${toUtc}`)
  expect(response.status).toBe(200)
  return response.body
}

/** The summary's numbers must equal the sums over the raw rows, field by field and in the same order. */
async function expectRawTotals(t: TestApp, db: Database, fromUtc: string, toUtc: string) {
  const body = await summary(t, fromUtc, toUtc)
  const raw = await getCostSummary(db, { projectId: t.project.id, fromUtc, toUtc })
  const { costUsd, ...totals } = raw.totals
  expect({
    totalCostUsd: body.totalCostUsd,
    ...Object.fromEntries(Object.keys(totals).map((key) => [key, body[key]])),
    byProvider: body.byProvider,
    byModel: body.byModel,
  }).toEqual({ totalCostUsd: costUsd, ...totals, byProvider: raw.byProvider, byModel: raw.byModel })
  return body
}

const unpriced = { costUsd: null, costStatus: 'unpriced' as const, priceSource: null, priceEntryId: null }

describeEachDatabase('GET /v1/analytics/summary from stored sums', (getDb) => {
  it('equals the raw sums before any refresh, from rollups, and with a late row or a re-price not yet rolled up', async () => {
    const db = getDb()
    const t = await createTestApp(db, { scopes: ['read'], now: () => NOW })
    const p = t.project.id
    await insertCalls(db, [
      callRow(p, { timestamp: '2025-09-08T10:10:00Z', costUsd: '100.000000000000' }), // before the range
      callRow(p, { timestamp: '2025-09-08T10:45:00Z', costUsd: '0.000000000001' }), // the range's partial first hour
      callRow(p, { timestamp: '2025-09-08T11:20:00Z', costUsd: '0.250000000000', status: 'error' }),
      callRow(p, { timestamp: '2025-09-08T15:00:00Z', model: 'gpt-4o', costUsd: '1.500000000000' }),
      callRow(p, { timestamp: '2025-09-08T23:59:59.999Z', costUsd: '0.125000000000', feature: null }),
      callRow(p, { timestamp: '2025-09-09T00:00:00Z', provider: 'acme', model: 'mystery', ...unpriced }),
      callRow(p, {
        timestamp: '2025-09-09T13:00:00Z',
        provider: 'anthropic',
        model: 'claude-x',
        costUsd: '0.300000000000',
        costStatus: 'estimated',
        priceSource: 'genai-prices',
        status: 'error',
      }),
      callRow(p, { timestamp: '2025-09-10T11:59:59.999Z', costUsd: '2.000000000000', reasoningTokens: 50 }),
      callRow(p, { timestamp: '2025-09-10T12:10:00Z', costUsd: '4.000000000000' }), // the open hour
      callRow(p, { timestamp: '2025-09-10T12:50:00Z', costUsd: '8.000000000000' }), // stamped a little ahead
    ])
    const range = ['2025-09-08T10:30:00.000Z', '2025-09-10T13:00:00.000Z'] as const

    const before = await expectRawTotals(t, db, ...range)
    expect(before).toMatchObject({ totalCostUsd: '16.175000000001', requests: 9, unpricedRequests: 1 })

    await refresh(db)
    await expectRawTotals(t, db, ...range)

    // A late row for a closed hour, not rolled up yet: its hour is read raw until the refresh.
    await insertCalls(db, [callRow(p, { timestamp: '2025-09-09T05:00:00Z', costUsd: '0.000000000100' })])
    expect(await expectRawTotals(t, db, ...range)).toMatchObject({ requests: 10 })
    await refresh(db)
    await expectRawTotals(t, db, ...range)

    // A re-price marks its hour dirty in the same transaction; until the refresh the hour is read raw.
    await db.query(
      `UPDATE llm_calls SET cost_usd = 3, cost_status = 'priced', price_source = 'override'
       WHERE project_id = $1 AND model = 'mystery'`,
      [p],
    )
    await markHours(db, { projectId: p, hoursUtc: ['2025-09-09T00:00:00Z'] })
    expect(await expectRawTotals(t, db, ...range)).toMatchObject({ unpricedRequests: 0 })
    await refresh(db)
    await expectRawTotals(t, db, ...range)
    // Whole hours only, and a range inside one hour.
    await expectRawTotals(t, db, '2025-09-08T00:00:00.000Z', '2025-09-10T00:00:00.000Z')
    await expectRawTotals(t, db, '2025-09-08T11:05:00.000Z', '2025-09-08T11:25:00.000Z')
  })

  it('prefers a verified daily aggregate that is still current, and says which days are unverified, stale or pending', async () => {
    const db = getDb()
    const t = await createTestApp(db, { scopes: ['read'], now: () => NOW })
    const p = t.project.id
    await insertCalls(db, [
      callRow(p, { timestamp: '2025-09-05T08:00:00Z', costUsd: '1.000000000000' }),
      callRow(p, { timestamp: '2025-09-06T08:00:00Z', costUsd: '2.000000000000' }),
      callRow(p, { timestamp: '2025-09-07T08:00:00Z', costUsd: '4.000000000000' }),
    ])
    await refresh(db)
    await aggregate(db, ['2025-09-05', '2025-09-06'])
    const range = ['2025-09-05T00:00:00.000Z', '2025-09-08T00:00:00.000Z'] as const
    const clean = await expectRawTotals(t, db, ...range)
    expect(clean.dataQuality).toEqual({
      status: 'ok',
      lastAggregationAt: expect.any(String),
      unverifiedDays: [],
      staleDays: [],
      pendingDays: ['2025-09-07'],
      failedDays: [],
    })

    // Rollups damaged behind the jobs' back do not change the answer: the verified aggregates answer those days.
    await db.query(
      `UPDATE llm_call_hourly_rollups SET cost_usd = cost_usd + 1
       WHERE project_id = $1 AND hour_utc < '2025-09-07T00:00:00Z'`,
      [p],
    )
    await expectRawTotals(t, db, ...range)
    await db.query(
      `UPDATE llm_call_hourly_rollups SET cost_usd = cost_usd - 1
       WHERE project_id = $1 AND hour_utc < '2025-09-07T00:00:00Z'`,
      [p],
    )
    // Rollups rebuilt from the same rows after an aggregate leave its day current: they still agree with it.
    await markHoursInRange(db, {
      projectId: p,
      fromUtc: '2025-09-05T00:00:00Z',
      toUtc: '2025-09-06T00:00:00Z',
    })
    await refresh(db)
    expect((await expectRawTotals(t, db, ...range)).dataQuality).toMatchObject({ staleDays: [] })
    const daily = await t.get('/v1/analytics/daily?from=2025-09-05&to=2025-09-06')
    expect(daily.body.days).toMatchObject([
      { date: '2025-09-05', verification: 'verified' },
      { date: '2025-09-06', verification: 'verified' },
    ])

    // A late row for 6 September: its aggregate is stale, so that day is answered from rollups and raw rows.
    await insertCalls(db, [callRow(p, { timestamp: '2025-09-06T09:00:00Z', costUsd: '0.500000000000' })])
    expect((await expectRawTotals(t, db, ...range)).dataQuality).toMatchObject({ staleDays: ['2025-09-06'] })
    await refresh(db)
    expect((await expectRawTotals(t, db, ...range)).dataQuality).toMatchObject({ staleDays: ['2025-09-06'] })

    // Re-aggregated, but the stored aggregate comes out wrong (as a bug or a bad disk would make it).
    await db.exec(`
      CREATE FUNCTION corrupt_summary_day() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN NEW.cost_usd := NEW.cost_usd + 1; RETURN NEW; END $$;
      CREATE TRIGGER corrupt_summary_day BEFORE INSERT ON llm_call_daily_aggregates
        FOR EACH ROW WHEN (NEW.day = '2025-09-06') EXECUTE FUNCTION corrupt_summary_day();`)
    await aggregate(db, ['2025-09-06'])
    await db.exec(
      'DROP TRIGGER corrupt_summary_day ON llm_call_daily_aggregates; DROP FUNCTION corrupt_summary_day();',
    )
    const unverified = await expectRawTotals(t, db, ...range)
    expect(unverified).toMatchObject({ totalCostUsd: '7.500000000000' })
    expect(unverified.dataQuality).toMatchObject({
      unverifiedDays: ['2025-09-06'],
      staleDays: [],
      pendingDays: ['2025-09-07'],
    })

    // The next run repairs the day; a failed run of a day in the range is reported until a run succeeds.
    await aggregate(db, ['2025-09-06', '2025-09-07'])
    const failedRow = await insertJobRun(db, {
      runId: randomUUID(),
      job: 'daily-aggregation',
      targetDate: '2025-09-05',
      trigger: 'schedule',
    })
    await finishJobRun(db, {
      id: failedRow,
      status: 'failed',
      attempts: 3,
      error: 'disk full',
      durationMs: 1,
    })
    const repaired = await expectRawTotals(t, db, ...range)
    expect(repaired.dataQuality).toMatchObject({
      unverifiedDays: [],
      staleDays: [],
      pendingDays: [],
      failedDays: ['2025-09-05'],
    })
  })

  it('keeps answering a period retention emptied, from its rollups and aggregates', async () => {
    const db = getDb()
    const t = await createTestApp(db, { scopes: ['read'], now: () => NOW })
    const p = t.project.id
    await db.query('UPDATE projects SET retention_days = 30 WHERE id = $1', [p])
    await insertCalls(db, [
      callRow(p, { timestamp: '2025-07-01T08:00:00Z', costUsd: '1.000000000000' }),
      callRow(p, { timestamp: '2025-07-02T08:00:00Z', model: 'gpt-4o', costUsd: '2.000000000000' }),
      callRow(p, { timestamp: '2025-09-09T08:00:00Z', costUsd: '4.000000000000' }),
    ])
    await refresh(db)
    await aggregate(db, ['2025-07-01', '2025-07-02'])
    const range = ['2025-06-30T00:00:00.000Z', '2025-09-10T00:00:00.000Z'] as const
    const beforeRetention = await expectRawTotals(t, db, ...range)
    const [report] = await runRetention({
      db,
      logger,
      metrics: new JobMetrics(),
      projectId: p,
      now: () => NOW,
    })
    expect(report?.rows.llm_calls).toBe(2)

    // A late call for a period retention emptied: that period is final, the call is not added to it.
    await insertCalls(db, [callRow(p, { timestamp: '2025-07-03T08:00:00Z', costUsd: '100.000000000000' })])
    await refresh(db)
    const after = await summary(t, ...range)
    const { dataQuality: _before, ...numbersBefore } = beforeRetention
    const { dataQuality, ...numbersAfter } = after
    expect(numbersAfter).toEqual(numbersBefore)
    expect(after).toMatchObject({ totalCostUsd: '7.000000000000', requests: 3 })
    // 3 July never gets an aggregate (it is before the cut): it is not reported as pending.
    expect(dataQuality).toMatchObject({ pendingDays: ['2025-09-09'] })
    // The refresh deleted the late raw call with the emptied hour's marks: it is in no sum and no list.
    expect(
      (await getCostSummary(db, { projectId: p, fromUtc: range[0], toUtc: range[1] })).totals.requests,
    ).toBe(1)
  })
})

describeEachDatabase('GET /v1/analytics/summary of unpriced calls', (getDb) => {
  it('gives a provider or model none of whose calls were priced a null cost, never $0, raw and from stored sums', async () => {
    const db = getDb()
    const t = await createTestApp(db, { scopes: ['read'], now: () => NOW })
    const p = t.project.id
    await insertCalls(db, [
      callRow(p, { timestamp: '2025-09-08T10:00:00Z', costUsd: '0.500000000000' }),
      callRow(p, { timestamp: '2025-09-08T11:00:00Z', model: 'gpt-unknown', ...unpriced }),
      callRow(p, { timestamp: '2025-09-08T12:00:00Z', provider: 'acme', model: 'mystery', ...unpriced }),
      callRow(p, { timestamp: '2025-09-09T12:00:00Z', provider: 'acme', model: 'mystery', ...unpriced }),
    ])
    const range = ['2025-09-08T00:00:00.000Z', '2025-09-10T00:00:00.000Z'] as const
    const expected = {
      totalCostUsd: '0.500000000000',
      requests: 4,
      unpricedRequests: 3,
      byProvider: [
        expect.objectContaining({ provider: 'openai', costUsd: '0.500000000000', unpricedRequests: 1 }),
        expect.objectContaining({ provider: 'acme', costUsd: null, requests: 2, unpricedRequests: 2 }),
      ],
      byModel: [
        expect.objectContaining({ model: 'gpt-4o-mini', costUsd: '0.500000000000', unpricedRequests: 0 }),
        expect.objectContaining({ model: 'mystery', costUsd: null, unpricedRequests: 2 }),
        expect.objectContaining({ model: 'gpt-unknown', costUsd: null, unpricedRequests: 1 }),
      ],
    }
    expect(await expectRawTotals(t, db, ...range)).toMatchObject(expected)
    await refresh(db)
    await aggregate(db, ['2025-09-08'])
    expect(await expectRawTotals(t, db, ...range)).toMatchObject(expected)
    // A range of calls none of which was priced costs an unknown amount, not $0; a range of no call costs $0.
    expect(await summary(t, '2025-09-09T00:00:00.000Z', '2025-09-10T00:00:00.000Z')).toMatchObject({
      totalCostUsd: null,
      requests: 1,
      unpricedRequests: 1,
      byProvider: [expect.objectContaining({ provider: 'acme', costUsd: null })],
    })
    expect(await summary(t, '2025-09-10T00:00:00.000Z', '2025-09-11T00:00:00.000Z')).toMatchObject({
      totalCostUsd: '0.000000000000',
      requests: 0,
    })
  })
})

describeEachDatabase('GET /v1/analytics/summary query', (getDb) => {
  it('cuts a range at the microsecond, as calls are stored, in the summary and the event list', async () => {
    const db = getDb()
    const t = await createTestApp(db, { scopes: ['ingest', 'read'], now: () => NOW })
    // Two calls 800 µs apart, in a closed hour that is rolled up.
    await insertCalls(db, [
      callRow(t.project.id, { timestamp: '2025-09-10T05:00:00.000100Z', idempotencyKey: 'early' }),
      callRow(t.project.id, { timestamp: '2025-09-10T05:00:00.000900Z', idempotencyKey: 'late' }),
    ])
    await refresh(db)
    const cut = '2025-09-10T05:00:00.000500Z'
    const after = await summary(t, cut, '2025-09-10T06:00:00Z')
    expect(after).toMatchObject({ from: cut, requests: 1 })
    expect(await summary(t, '2025-09-10T04:00:00Z', cut)).toMatchObject({ to: cut, requests: 1 })
    await expectRawTotals(t, db, cut, '2025-09-10T07:00:00Z')
    const keys = async (query: string) => {
      const response = await t.get(`/v1/events?${query}`)
      expect(response.status).toBe(200)
      return (response.body.data as Array<{ idempotencyKey: string }>).map((event) => event.idempotencyKey)
    }
    expect(await keys(`from=${cut}`)).toEqual(['late'])
    expect(await keys(`to=${cut}`)).toEqual(['early'])
    // Bounds a few microseconds apart are in order; equal ones are not.
    expect(
      (await t.get(`/v1/events?from=2025-09-10T05:00:00.000100Z&to=2025-09-10T05:00:00.000101Z`)).status,
    ).toBe(200)
    expect((await t.get(`/v1/events?from=${cut}&to=${cut}`)).status).toBe(400)
    // A bound written past the microsecond (.NET writes seven digits) cuts as sent: a call at
    // .000900 is before .0009001, and .0009001 is after .000900.
    const finer = '2025-09-10T05:00:00.0009001Z'
    expect(await summary(t, '2025-09-10T04:00:00Z', finer)).toMatchObject({
      to: '2025-09-10T05:00:00.000901Z',
      requests: 2,
    })
    expect(await keys(`to=${finer}`)).toEqual(['late', 'early'])
    expect(await keys(`from=2025-09-10T05:00:00.000900Z&to=${finer}`)).toEqual(['late'])
    expect(await keys(`from=2025-09-10T05:00:00.0008999Z&to=${finer}`)).toEqual(['late'])
    expect((await t.get(`/v1/events?from=${finer}&to=2025-09-10T05:00:00.0009002Z`)).status).toBe(200)
    expect((await t.get(`/v1/events?from=${finer}&to=2025-09-10T05:00:00.00090010Z`)).status).toBe(400)
    // Far ahead too, where microseconds since the epoch no longer fit a double exactly.
    const late = await t.get(
      '/v1/analytics/summary?from=9999-12-30T12:34:56.789001Z&to=9999-12-30T12:34:56.789009Z',
    )
    expect(late.body).toMatchObject({
      from: '9999-12-30T12:34:56.789001Z',
      to: '9999-12-30T12:34:56.789009Z',
    })
  })

  it('refuses unknown parameters, from not before to and times outside 2000-01-01..9999-12-31 with 400', async () => {
    const t = await createTestApp(getDb(), { scopes: ['read'], now: () => NOW })
    const refused = async (query: string, path: string, message: RegExp) => {
      const response = await t.get(`/v1/analytics/summary?${query}`)
      expect({ query, status: response.status, body: response.body }).toEqual({
        query,
        status: 400,
        body: {
          error: {
            code: 'INVALID_QUERY',
            message: expect.stringMatching(message),
            details: [{ path, message: expect.any(String) }],
          },
        },
      })
    }
    await refused('form=2025-09-01T00:00:00Z', '', /\(query\) has unknown field\(s\) form: remove it/)
    await refused('from=2025-09-02T00:00:00Z&to=2025-09-01T00:00:00Z', 'from', /from must be before to/)
    await refused(
      'from=2025-09-02T00:00:00Z&to=2025-09-02T01:00:00%2B02:00',
      'from',
      /from must be before to/,
    )
    await refused(
      'from=2026-01-01T00:00:00Z&to=9999-12-31T23:00:00-10:00',
      'to',
      /to must be a time from 2000-01-01T00:00:00.000Z to 9999-12-31T00:00:00.000Z/,
    )
    await refused('from=0000-01-01T00:00:00Z', 'from', /from must be a time from 2000-01-01/)
    // A microsecond past the latest time is past it, though Date.parse drops the microsecond.
    await refused('to=9999-12-31T00:00:00.000001Z', 'to', /to must be a time from 2000-01-01/)
    // With `to` left to its default, now: a `from` after it, or a `to` with no room before it.
    await refused('from=2099-01-01T00:00:00Z', 'from', /from must be before to \(now, /)
    await refused('to=2000-01-01T00:00:00Z', 'from', /from must be before to \(2000-01-01T00:00:00.000Z\)/)
    // Two bounds in order but under a microsecond apart round to one instant: an empty range, not an error.
    const narrowest = await t.get(
      '/v1/analytics/summary?from=2025-09-01T00:00:00.1234567891Z&to=2025-09-01T00:00:00.1234567892Z',
    )
    expect(narrowest).toMatchObject({ status: 200, body: { totalCostUsd: '0.000000000000', requests: 0 } })
    const widest = await t.get('/v1/analytics/summary?from=2000-01-01T00:00:00Z&to=9999-12-31T00:00:00Z')
    expect(widest.status).toBe(200)
    // The default 30 days stop at the first supported day.
    expect((await t.get('/v1/analytics/summary?to=2000-01-10T00:00:00Z')).body).toMatchObject({
      from: '2000-01-01T00:00:00.000Z',
      to: '2000-01-10T00:00:00.000Z',
    })
  })
})

describeEachDatabase('GET /v1/analytics/summary order', (getDb) => {
  it('lists byProvider and byModel most expensive first, ties in byte order whatever the collation', async () => {
    const db = getDb()
    const t = await createTestApp(db, { scopes: ['read'], now: () => NOW })
    // A PostgreSQL created with a language's collation sorts `alpha` before `B`; the answer must not.
    const { rows } = await db.query<{ icu: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'en-US-x-icu') AS icu`,
    )
    if (rows[0]?.icu) {
      for (const table of ['llm_calls', 'llm_call_hourly_rollups', 'llm_call_daily_aggregates']) {
        await db.exec(
          `ALTER TABLE ${table} ALTER COLUMN provider TYPE text COLLATE "en-US-x-icu",
             ALTER COLUMN model TYPE text COLLATE "en-US-x-icu"`,
        )
      }
    }
    const models = ['beta-model', 'Zeta-model', 'alpha-model', 'B-model', 'beta_model']
    await insertCalls(
      db,
      models.map((model, index) =>
        callRow(t.project.id, {
          timestamp: `2025-09-08T10:0${index}:00Z`,
          provider: index % 2 === 0 ? 'acme' : 'Acme',
          model,
          ...unpriced,
        }),
      ),
    )
    await insertCalls(db, [callRow(t.project.id, { timestamp: '2025-09-08T11:00:00Z', model: 'zz-priced' })])
    await refresh(db)
    await aggregate(db, ['2025-09-08'])
    const body = await expectRawTotals(t, db, '2025-09-08T00:00:00Z', '2025-09-09T00:00:00Z')
    expect((body.byProvider as Array<{ provider: string }>).map((row) => row.provider)).toEqual([
      'openai',
      'Acme',
      'acme',
    ])
    expect((body.byModel as Array<{ model: string }>).map((row) => row.model)).toEqual([
      'zz-priced',
      'B-model',
      'Zeta-model',
      'alpha-model',
      'beta-model',
      'beta_model',
    ])
  })
})
