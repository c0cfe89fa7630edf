import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import { createLogger } from '../logging/logger.ts'
import { sumDailyAggregates } from '../storage/repositories/aggregates-repository.ts'
import { listJobRunsByRunId } from '../storage/repositories/job-runs-repository.ts'
import { insertPriceOverride } from '../storage/repositories/price-overrides-repository.ts'
import { listRecomputeRuns } from '../storage/repositories/recompute-repository.ts'
import { sumRollups } from '../storage/repositories/rollups-repository.ts'
import { describeEachDatabase } from '../testing/test-databases.ts'
import { callRow, createProject, insertCalls } from './__fixtures__/call-rows.ts'
import { runDailyAggregation } from './daily-aggregation.ts'
import { JobMetrics } from './job-metrics.ts'
import { createJobService } from './job-service.ts'
import { runRecompute } from './recompute.ts'
import { refreshRollups } from './rollup-refresh.ts'

const logger = createLogger({ level: 'silent' })
const NOW = () => Date.parse('2025-06-01T00:00:00Z')
const range = { fromUtc: '2025-05-01T00:00:00Z', toUtc: '2025-05-03T00:00:00Z' }

/** A call of an `acme` model nobody priced, input tokens only unless `overrides` say otherwise. */
const unpricedCall = (projectId: string, overrides: Parameters<typeof callRow>[1]) =>
  callRow(projectId, {
    provider: 'acme',
    outputTokens: 0,
    cacheReadInputTokens: 0,
    costUsd: null,
    costStatus: 'unpriced',
    priceSource: null,
    priceEntryId: null,
    ...overrides,
  })

describeEachDatabase('recompute', (getDb) => {
  it('re-prices with a new override, reports the diff per model, and refreshes rollups and aggregates', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    // Two calls of a model nobody priced, one catalogue-priced call that keeps its price.
    await insertCalls(db, [
      unpricedCall(projectId, {
        timestamp: '2025-05-01T10:00:00Z',
        model: 'in-house-llm',
        inputTokens: 1_000_000,
      }),
      unpricedCall(projectId, {
        timestamp: '2025-05-02T10:00:00Z',
        model: 'in-house-llm',
        inputTokens: 2_000_000,
      }),
    ])
    const metrics = new JobMetrics()
    await refreshRollups({ db, logger, metrics })
    await runDailyAggregation({
      db,
      logger,
      metrics,
      runId: randomUUID(),
      trigger: 'cli',
      days: ['2025-05-01', '2025-05-02'],
      now: NOW,
    })
    const override = await insertPriceOverride(db, {
      projectId,
      provider: 'acme',
      model: 'in-house-llm',
      effectiveFrom: '2025-01-01T00:00:00Z',
      prices: { input: '0.5', output: '1' },
    })
    expect(override.status).toBe('created')
    const jobs = createJobService({ db, logger, now: NOW })

    const dryRun = await runRecompute({
      db,
      logger,
      metrics,
      jobs,
      ...range,
      projectId,
      dryRun: true,
      now: NOW,
    })
    const expectedDiff = [
      {
        provider: 'acme',
        model: 'in-house-llm',
        requests: 2,
        changed: 2,
        // Nobody priced them before: an unknown cost, not $0.
        costBeforeUsd: null,
        costAfterUsd: '1.500000000000',
        deltaUsd: '1.500000000000',
        newlyPriced: 2,
      },
    ]
    expect(dryRun.projects).toEqual([
      expect.objectContaining({ projectId, scanned: 2, changed: 2, diff: expectedDiff }),
    ])
    expect(await sumRollups(db, { projectId, ...range })).toEqual({ requests: 2, costUsd: '0.000000000000' })

    const applied = await runRecompute({
      db,
      logger,
      metrics,
      jobs,
      ...range,
      projectId,
      chunkRows: 1,
      now: NOW,
    })
    expect(applied.projects[0]?.diff).toEqual(expectedDiff)
    expect(applied.rollupsRefreshed).toBe(true)
    expect(applied.days.map((day) => [day.day, day.status, day.stored])).toEqual([
      ['2025-05-01', 'succeeded', 1],
      ['2025-05-02', 'succeeded', 1],
    ])
    expect(await sumRollups(db, { projectId, ...range })).toEqual({ requests: 2, costUsd: '1.500000000000' })
    expect(await sumDailyAggregates(db, { projectId, fromDay: '2025-05-01', toDay: '2025-05-02' })).toEqual({
      requests: 2,
      costUsd: '1.500000000000',
    })
    const { rows } = await db.query<{ cost_status: string; price_source: string }>(
      'SELECT DISTINCT cost_status, price_source FROM llm_calls WHERE project_id = $1',
      [projectId],
    )
    expect(rows).toEqual([{ cost_status: 'priced', price_source: 'override' }])
    const stored = await listRecomputeRuns(db, { projectId, limit: 5 })
    expect(stored.map((run) => [run.dryRun, run.status, run.diff])).toEqual([
      [false, 'succeeded', expectedDiff],
      [true, 'succeeded', expectedDiff],
    ])

    const again = await runRecompute({ db, logger, metrics, jobs, ...range, projectId, now: NOW })
    expect(again.projects[0]).toMatchObject({ scanned: 2, changed: 0 })
    expect(again.days).toEqual([])
  })

  it('re-prices every id of the model it is given, as an override prices them, and no other model', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    const call = (model: string) =>
      callRow(projectId, {
        timestamp: '2025-05-01T03:10:00Z',
        model,
        inputTokens: 1_000_000,
        outputTokens: 0,
        cacheReadInputTokens: 0,
        costUsd: '0.150000000000',
      })
    await insertCalls(db, [
      call('gpt-4o-mini'),
      call('gpt-4o-mini-2024-07-18'),
      call('GPT-4o-Mini'),
      call('gpt-4o'),
    ])
    await insertPriceOverride(db, {
      projectId,
      provider: 'openai',
      model: 'gpt-4o-mini',
      effectiveFrom: '2025-01-01T00:00:00Z',
      prices: { input: '3', output: '0' },
    })
    const jobs = createJobService({ db, logger, now: NOW })
    const { done } = await jobs.start(
      'recompute',
      { from: '2025-05-01', to: '2025-05-01', model: 'gpt-4o-mini', projectId },
      'cli',
    )
    expect((await done).status).toBe('succeeded')
    const { rows } = await db.query<{ model: string; cost: string }>(
      `SELECT model, cost_usd::text AS cost FROM llm_calls WHERE project_id = $1 ORDER BY model COLLATE "C"`,
      [projectId],
    )
    // 1M × $3/M under the override; gpt-4o was not asked for and keeps its stored price.
    expect(rows).toEqual([
      { model: 'GPT-4o-Mini', cost: '3.000000000000' },
      { model: 'gpt-4o', cost: '0.150000000000' },
      { model: 'gpt-4o-mini', cost: '3.000000000000' },
      { model: 'gpt-4o-mini-2024-07-18', cost: '3.000000000000' },
    ])
  })

  it("re-prices with an override's service-tier and long-context rates", async () => {
    const db = getDb()
    const projectId = await createProject(db)
    const call = (serviceTier: 'standard' | 'batch', inputTokens: number) =>
      unpricedCall(projectId, {
        timestamp: '2025-05-01T03:10:00Z',
        idempotencyKey: `${serviceTier}-${inputTokens}`,
        model: 'tiered',
        serviceTier,
        inputTokens,
      })
    await insertCalls(db, [call('standard', 100_000), call('batch', 100_000), call('batch', 300_000)])
    await insertPriceOverride(db, {
      projectId,
      provider: 'acme',
      model: 'tiered',
      effectiveFrom: '2025-01-01T00:00:00Z',
      prices: { input: '1', output: '2' },
      serviceTiers: { batch: { multiplier: '0.5' } },
      longContext: [{ aboveInputTokens: 200_000, prices: { input: '2' } }],
    })
    const jobs = createJobService({ db, logger, now: NOW })
    const { done } = await jobs.start('recompute', { from: '2025-05-01', to: '2025-05-01', projectId }, 'cli')
    expect((await done).status).toBe('succeeded')
    const { rows } = await db.query<{ key: string; cost: string }>(
      `SELECT idempotency_key AS key, cost_usd::text AS cost FROM llm_calls WHERE project_id = $1`,
      [projectId],
    )
    // 100,000 × $1/M = $0.10; in a batch half of it; 300,000 × $2/M (long context) = $0.60, halved.
    expect(Object.fromEntries(rows.map((row) => [row.key, row.cost]))).toEqual({
      'standard-100000': '0.100000000000',
      'batch-100000': '0.050000000000',
      'batch-300000': '0.300000000000',
    })
  })

  it('re-prices each of many calls at the same time once, whatever the digits of their ids', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    const calls = Array.from({ length: 12 }, () =>
      unpricedCall(projectId, { timestamp: '2025-05-01T03:10:00Z', model: 'tied', inputTokens: 1_000_000 }),
    )
    await insertCalls(db, calls)
    // Ids 9999995 to 10000006: sorted as text, 10000000 comes before 9999995.
    await db.transaction(async (tx) => {
      await tx.query('CREATE TEMP TABLE tied_calls AS SELECT * FROM llm_calls WHERE project_id = $1', [
        projectId,
      ])
      await tx.query(
        `UPDATE tied_calls t SET id = 9999995 + n.n FROM
           (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM tied_calls) n WHERE t.id = n.id`,
      )
      await tx.query('DELETE FROM llm_calls WHERE project_id = $1', [projectId])
      await tx.query('INSERT INTO llm_calls OVERRIDING SYSTEM VALUE SELECT * FROM tied_calls')
      await tx.query('DROP TABLE tied_calls')
    })
    await insertPriceOverride(db, {
      projectId,
      provider: 'acme',
      model: 'tied',
      effectiveFrom: '2025-01-01T00:00:00Z',
      prices: { input: '2', output: '0' },
    })
    const jobs = createJobService({ db, logger, now: NOW })
    const report = await runRecompute({
      db,
      logger,
      metrics: new JobMetrics(),
      jobs,
      ...range,
      projectId,
      chunkRows: 5,
      now: NOW,
    })
    expect(report.projects[0]).toMatchObject({ scanned: 12, changed: 12 })
    const { rows } = await db.query<{ cost: string; calls: number }>(
      `SELECT cost_usd::text AS cost, count(*)::int AS calls FROM llm_calls WHERE project_id = $1 GROUP BY cost_usd`,
      [projectId],
    )
    expect(rows).toEqual([{ cost: '2.000000000000', calls: 12 }])
  })

  it('keeps a call with estimated usage estimated when an override prices it', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    const call = (usageEstimated: boolean) =>
      unpricedCall(projectId, {
        timestamp: '2025-05-01T03:10:00Z',
        model: 'embedder',
        inputTokens: 2_000,
        usageEstimated,
      })
    await insertCalls(db, [call(true), call(false)])
    await insertPriceOverride(db, {
      projectId,
      provider: 'acme',
      model: 'embedder',
      effectiveFrom: '2025-01-01T00:00:00Z',
      prices: { input: '0.15', output: '0' },
    })
    const jobs = createJobService({ db, logger, now: NOW })
    const { done } = await jobs.start('recompute', { from: '2025-05-01', to: '2025-05-01', projectId }, 'cli')
    expect((await done).status).toBe('succeeded')

    // 2,000 × $0.15/M = $0.0003 for both; only the counted one is exact.
    const { rows } = await db.query<{ estimated: boolean; cost: string; status: string }>(
      `SELECT usage_estimated AS estimated, cost_usd::text AS cost, cost_status AS status FROM llm_calls
       WHERE project_id = $1 ORDER BY usage_estimated`,
      [projectId],
    )
    expect(rows).toEqual([
      { estimated: false, cost: '0.000300000000', status: 'priced' },
      { estimated: true, cost: '0.000300000000', status: 'estimated' },
    ])
  })

  it('leaves unpriced a call whose new cost passes the per-call cap, and reports it in the run', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    const call = (overrides: Parameters<typeof callRow>[1]) =>
      unpricedCall(projectId, {
        timestamp: '2025-05-01T03:10:00Z',
        model: 'capx',
        inputTokens: 1_000_000_000,
        ...overrides,
      })
    // Two calls nobody priced, one priced by an older override, and one small enough to price.
    await insertCalls(db, [
      call({}),
      call({}),
      call({ costUsd: '5.000000000000', costStatus: 'priced', priceSource: 'override', priceEntryId: 'old' }),
      call({ inputTokens: 1_000 }),
    ])
    await insertPriceOverride(db, {
      projectId,
      provider: 'acme',
      model: 'capx',
      effectiveFrom: '2025-01-01T00:00:00Z',
      prices: { input: '999999999', output: '1' },
    })
    const jobs = createJobService({ db, logger, now: NOW })
    const { runId, done } = await jobs.start(
      'recompute',
      { from: '2025-05-01', to: '2025-05-01', model: 'capx', projectId },
      'cli',
    )
    expect((await done).status).toBe('succeeded')

    const { rows } = await db.query<{ input: number; cost: string | null; status: string }>(
      `SELECT input_tokens AS input, cost_usd::text AS cost, cost_status AS status FROM llm_calls
       WHERE project_id = $1 ORDER BY input_tokens, cost_status`,
      [projectId],
    )
    expect(rows).toEqual([
      { input: 1_000, cost: '999999.999000000000', status: 'priced' },
      { input: 1_000_000_000, cost: null, status: 'unpriced' },
      { input: 1_000_000_000, cost: null, status: 'unpriced' },
      { input: 1_000_000_000, cost: null, status: 'unpriced' },
    ])
    const tooLargeCall = {
      id: expect.any(String),
      timestamp: '2025-05-01T03:10:00.000000Z',
      provider: 'acme',
      model: 'capx',
      costUsd: '999999999000.000000000000',
    }
    const [recomputeRun] = (await listJobRunsByRunId(db, runId)).filter((run) => run.job === 'recompute')
    expect(recomputeRun?.details).toMatchObject({
      projects: [
        expect.objectContaining({
          projectId,
          scanned: 4,
          changed: 2,
          tooLarge: 3,
          tooLargeCalls: [tooLargeCall, tooLargeCall, tooLargeCall],
        }),
      ],
    })
    expect(await sumRollups(db, { projectId, ...range })).toEqual({
      requests: 4,
      costUsd: '999999.999000000000',
    })
  })
})
