import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_STORED_COST_USD } from '../ingest/fits-stored-cost.ts'
import { createLogger } from '../logging/logger.ts'
import type { Database, Queryable } from '../storage/database.ts'
import { openPostgresDatabase } from '../storage/postgres-database.ts'
import {
  finishJobRun,
  insertJobRun,
  listFailedDates,
  listJobRunsByRunId,
} from '../storage/repositories/job-runs-repository.ts'
import { getJobState } from '../storage/repositories/job-state-repository.ts'
import { sumRollups } from '../storage/repositories/rollups-repository.ts'
import { describeEachDatabase, openTestDatabase, TEST_POSTGRES_URL } from '../testing/test-databases.ts'
import { callRow, createProject, insertCalls } from './__fixtures__/call-rows.ts'
import { withAdvisoryLock } from './advisory-lock.ts'
import {
  DAILY_AGGREGATION_JOB,
  type DailyAggregationOptions,
  runDailyAggregation,
} from './daily-aggregation.ts'
import { JobMetrics } from './job-metrics.ts'
import { refreshRollups } from './rollup-refresh.ts'
import { utcDayNumber } from './utc-days.ts'

const NOW = Date.parse('2025-06-01T12:00:00Z')

function aggregation(db: Database, days: string[], overrides: Partial<DailyAggregationOptions> = {}) {
  const lines: Array<Record<string, unknown>> = []
  const metrics = new JobMetrics()
  const options: DailyAggregationOptions = {
    db,
    logger: createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) }),
    metrics,
    runId: randomUUID(),
    trigger: 'cli',
    days,
    retryBaseDelayMs: 1,
    now: () => NOW,
    ...overrides,
  }
  return { run: () => runDailyAggregation(options), lines, metrics, runId: options.runId }
}

async function aggregatesOf(db: Database, projectId: string, day: string) {
  const { rows } = await db.query(
    `SELECT provider, model, feature, requests::int, errors::int, unpriced_requests::int AS unpriced, input_tokens::int AS input,
       cost_usd::text AS cost FROM llm_call_daily_aggregates WHERE project_id = $1 AND day = $2 ORDER BY provider, model, feature`,
    [projectId, day],
  )
  return rows
}

async function dayStatus(db: Database, projectId: string, day: string) {
  const { rows } = await db.query<{ status: string }>(
    'SELECT status FROM daily_aggregate_days WHERE project_id = $1 AND day = $2',
    [projectId, day],
  )
  return rows[0]?.status
}

interface RecordedStatement {
  sql: string
  params: readonly unknown[]
  rows: Array<Record<string, unknown>>
}

/** `db` with every statement it runs, on any connection or in any transaction, recorded with its result. */
function recordingDatabase(db: Database, statements: RecordedStatement[]): Database {
  const record = (target: Queryable): Queryable => ({
    exec: (sql) => target.exec(sql),
    async query<Row>(sql: string, params?: readonly unknown[]) {
      const result = await target.query<Row>(sql, params)
      statements.push({ sql, params: params ?? [], rows: result.rows as Array<Record<string, unknown>> })
      return result
    },
  })
  return {
    ...db,
    ...record(db),
    transaction: (work) => db.transaction((tx) => work(record(tx))),
    withConnection: (work) =>
      db.withConnection((connection) =>
        work({
          ...record(connection),
          transaction: (inner) => connection.transaction((tx) => inner(record(tx))),
        }),
      ),
  }
}

/** Makes the insert of a daily aggregate row fail ('disk full') where `condition` holds; returns its undoing. */
async function failAggregatesWhere(db: Database, condition: string): Promise<() => Promise<void>> {
  await db.exec(`
    CREATE FUNCTION fail_aggregate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'disk full'; END $$;
    CREATE TRIGGER fail_aggregate BEFORE INSERT ON llm_call_daily_aggregates
      FOR EACH ROW WHEN (${condition}) EXECUTE FUNCTION fail_aggregate();`)
  return () =>
    db.exec('DROP TRIGGER fail_aggregate ON llm_call_daily_aggregates; DROP FUNCTION fail_aggregate();')
}
describeEachDatabase('daily aggregation', (getDb) => {
  it('aggregates per provider, model and feature; a second run changes nothing', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-01-01T00:00:00Z', costUsd: '0.000000000001' }),
      callRow(projectId, { timestamp: '2025-01-01T23:59:59.999Z', costUsd: '0.100000000000', feature: null }),
      callRow(projectId, {
        timestamp: '2025-01-01T12:00:00Z',
        model: 'gpt-4o',
        status: 'error',
        costUsd: '0.300000000000',
      }),
      callRow(projectId, {
        timestamp: '2025-01-01T12:00:00Z',
        model: 'mystery',
        costUsd: null,
        costStatus: 'unpriced',
        priceSource: null,
      }),
      callRow(projectId, { timestamp: '2025-01-02T00:00:00Z', costUsd: '9.000000000000' }),
    ])
    const first = await aggregation(db, ['2025-01-01']).run()
    expect(first).toEqual([expect.objectContaining({ day: '2025-01-01', status: 'succeeded', attempts: 1 })])
    const stored = await aggregatesOf(db, projectId, '2025-01-01')
    expect(stored).toEqual([
      {
        provider: 'openai',
        model: 'gpt-4o',
        feature: 'support-chat',
        requests: 1,
        errors: 1,
        unpriced: 0,
        input: 1000,
        cost: '0.300000000000',
      },
      {
        provider: 'openai',
        model: 'gpt-4o-mini',
        feature: 'support-chat',
        requests: 1,
        errors: 0,
        unpriced: 0,
        input: 1000,
        cost: '0.000000000001',
      },
      {
        provider: 'openai',
        model: 'gpt-4o-mini',
        feature: null,
        requests: 1,
        errors: 0,
        unpriced: 0,
        input: 1000,
        cost: '0.100000000000',
      },
      {
        provider: 'openai',
        model: 'mystery',
        feature: 'support-chat',
        requests: 1,
        errors: 0,
        unpriced: 1,
        input: 1000,
        cost: '0.000000000000',
      },
    ])
    expect(await dayStatus(db, projectId, '2025-01-01')).toBe('verified')

    const second = aggregation(db, ['2025-01-01'])
    const [again] = await second.run()
    expect(again).toMatchObject({ status: 'succeeded', stored: 0 })
    expect(await aggregatesOf(db, projectId, '2025-01-01')).toEqual(stored)
    expect(second.lines.map((line) => line.msg)).toEqual(['job_started', 'job_completed'])
    expect(second.lines[1]).toMatchObject({
      job: DAILY_AGGREGATION_JOB,
      runId: second.runId,
      date: '2025-01-01',
      stored: 0,
    })
    expect((await getJobState(db, DAILY_AGGREGATION_JOB)).lastSuccessAt).toBe('2025-06-01T12:00:00.000000Z')
  })

  it('recomputes a day when a late row arrives or a row changes', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-01-03T10:00:00Z', costUsd: '1.000000000000' }),
    ])
    await aggregation(db, ['2025-01-03']).run()
    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-01-03T11:00:00Z', costUsd: '0.500000000000' }),
    ])
    const [late] = await aggregation(db, ['2025-01-03']).run()
    expect(late?.stored).toBeGreaterThanOrEqual(1)
    expect(await aggregatesOf(db, projectId, '2025-01-03')).toEqual([
      expect.objectContaining({ requests: 2, cost: '1.500000000000' }),
    ])

    // Same count and same cost sum, different rows: only the row hashes tell them apart.
    await db.query(
      `UPDATE llm_calls SET cost_usd = CASE WHEN cost_usd = 1 THEN 0.5 ELSE 1 END, input_tokens = input_tokens + 1
       WHERE project_id = $1`,
      [projectId],
    )
    const [changed] = await aggregation(db, ['2025-01-03']).run()
    expect(changed?.stored).toBeGreaterThanOrEqual(1)
    expect(await aggregatesOf(db, projectId, '2025-01-03')).toEqual([
      expect.objectContaining({ input: 2002 }),
    ])
  })

  it('marks a day unverified when the aggregate does not sum to the raw cost, and repairs it on the next run', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-01-04T10:00:00Z', costUsd: '1.000000000000' }),
    ])
    // Corrupts the aggregate as it is written, the way a bug or a bad disk would.
    await db.exec(`
      CREATE FUNCTION corrupt_aggregate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN NEW.cost_usd := NEW.cost_usd + 0.000000000001; RETURN NEW; END $$;
      CREATE TRIGGER corrupt_aggregate BEFORE INSERT ON llm_call_daily_aggregates
        FOR EACH ROW WHEN (NEW.day = '2025-01-04') EXECUTE FUNCTION corrupt_aggregate();`)
    const corrupted = aggregation(db, ['2025-01-04'])
    const [result] = await corrupted.run()
    await db.exec(
      'DROP TRIGGER corrupt_aggregate ON llm_call_daily_aggregates; DROP FUNCTION corrupt_aggregate();',
    )
    expect(result).toMatchObject({ status: 'succeeded', unverified: 1 })
    expect(await dayStatus(db, projectId, '2025-01-04')).toBe('unverified')
    expect(corrupted.metrics.value('acp_aggregation_unverified_days_total')).toBe(1)
    expect(corrupted.lines).toContainEqual(
      expect.objectContaining({
        msg: 'aggregate_unverified',
        projectId,
        rawCostUsd: '1.000000000000',
        aggregateCostUsd: '1.000000000001',
      }),
    )

    await aggregation(db, ['2025-01-04']).run()
    expect(await dayStatus(db, projectId, '2025-01-04')).toBe('verified')
  })

  it('retries a failing day three times, records it failed, alerts, and still runs the next day', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-01-05T10:00:00Z' }),
      callRow(projectId, { timestamp: '2025-01-06T10:00:00Z' }),
    ])
    const removeFailure = await failAggregatesWhere(db, "NEW.day = '2025-01-05'")
    const failing = aggregation(db, ['2025-01-05', '2025-01-06'])
    const summaries = await failing.run()
    await removeFailure()
    expect(summaries).toEqual([
      expect.objectContaining({
        day: '2025-01-05',
        status: 'failed',
        attempts: 3,
        error: expect.stringMatching(/disk full/),
      }),
      expect.objectContaining({ day: '2025-01-06', status: 'succeeded', attempts: 1 }),
    ])
    expect(failing.metrics.value('acp_aggregation_failed_days_total')).toBe(1)
    expect(failing.lines.filter((line) => line.msg === 'job_attempt_failed')).toHaveLength(2)
    expect(failing.lines).toContainEqual(
      expect.objectContaining({ msg: 'job_failed', level: 'error', alert: true, date: '2025-01-05' }),
    )
    expect(await listJobRunsByRunId(db, failing.runId)).toEqual([
      expect.objectContaining({
        targetDate: '2025-01-05',
        status: 'failed',
        attempts: 3,
        error: expect.stringMatching(/disk full/),
      }),
      expect.objectContaining({
        targetDate: '2025-01-06',
        status: 'succeeded',
        attempts: 1,
        durationMs: expect.any(Number),
      }),
    ])
    expect(await listFailedDates(db, { job: DAILY_AGGREGATION_JOB })).toContainEqual(
      expect.objectContaining({ date: '2025-01-05' }),
    )

    await aggregation(db, ['2025-01-05']).run()
    expect(await listFailedDates(db, { job: DAILY_AGGREGATION_JOB })).not.toContainEqual(
      expect.objectContaining({ date: '2025-01-05' }),
    )
    expect(await dayStatus(db, projectId, '2025-01-05')).toBe('verified')
  })

  it('aggregates the other projects of a day when one fails, and records that project as failed', async () => {
    const db = getDb()
    // Projects are aggregated in creation order: the failing one comes first.
    const failingId = await createProject(db)
    const healthyId = await createProject(db)
    await insertCalls(db, [
      callRow(failingId, { timestamp: '2025-01-20T10:00:00Z' }),
      callRow(healthyId, { timestamp: '2025-01-20T10:00:00Z' }),
    ])
    const removeFailure = await failAggregatesWhere(db, `NEW.project_id = '${failingId}'`)
    const failing = aggregation(db, ['2025-01-20'])
    const [summary] = await failing.run()
    await removeFailure()
    const failedProjects = [
      { projectId: failingId, projectName: expect.any(String), error: expect.stringMatching(/disk full/) },
    ]
    expect(summary).toMatchObject({
      status: 'failed',
      attempts: 3,
      stored: 1,
      error: expect.stringContaining(failingId),
      failedProjects,
    })
    expect(await dayStatus(db, healthyId, '2025-01-20')).toBe('verified')
    expect(await dayStatus(db, failingId, '2025-01-20')).toBeUndefined()
    // Retries go back to the failed project only.
    expect(
      failing.lines.filter((line) => line.msg === 'aggregate_project_failed').map((line) => line.projectId),
    ).toEqual([failingId, failingId, failingId])
    expect(await listJobRunsByRunId(db, failing.runId)).toEqual([
      expect.objectContaining({
        status: 'failed',
        stored: 1,
        details: expect.objectContaining({ failedProjects }),
      }),
    ])

    const [retried] = await aggregation(db, ['2025-01-20']).run()
    expect(retried).toMatchObject({ status: 'succeeded', stored: 1 })
    expect(retried?.failedProjects).toBeUndefined()
    expect(await dayStatus(db, failingId, '2025-01-20')).toBe('verified')
  })

  it('sums an hour and a day of 1,001 calls at the largest cost one call may have', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    await insertCalls(
      db,
      Array.from({ length: 1_001 }, (_, index) =>
        callRow(projectId, {
          timestamp: `2025-01-21T05:${String(index % 60).padStart(2, '0')}:00Z`,
          costUsd: MAX_STORED_COST_USD,
        }),
      ),
    )
    // 1,001 × 999,999,999.999999999999: 13 whole digits.
    const totalUsd = '1000999999999.999999998999'
    await refreshRollups({ db, logger: createLogger({ level: 'silent' }), metrics: new JobMetrics() })
    expect(
      await sumRollups(db, { projectId, fromUtc: '2025-01-21T00:00:00Z', toUtc: '2025-01-22T00:00:00Z' }),
    ).toEqual({ requests: 1_001, costUsd: totalUsd })

    const [result] = await aggregation(db, ['2025-01-21']).run()
    expect(result).toMatchObject({ status: 'succeeded', stored: 1, unverified: 0 })
    expect(await aggregatesOf(db, projectId, '2025-01-21')).toEqual([
      expect.objectContaining({ requests: 1_001, cost: totalUsd }),
    ])
    expect(await dayStatus(db, projectId, '2025-01-21')).toBe('verified')
  })

  it('records a day cut off by shutdown as failed, without paging anyone or listing it failed, and runs no further day', async () => {
    const db = getDb()
    await createProject(db)
    const shutdown = new AbortController()
    const lines: Array<Record<string, unknown>> = []
    const logger = createLogger({
      level: 'info',
      write: (line) => {
        lines.push(JSON.parse(line))
        if (lines.at(-1)?.msg === 'job_started') shutdown.abort(new Error('the server is shutting down'))
      },
    })
    const stopped = aggregation(db, ['2025-01-12', '2025-01-13'], { logger, signal: shutdown.signal })
    expect(await stopped.run()).toEqual([
      expect.objectContaining({ day: '2025-01-12', status: 'failed', error: 'the server is shutting down' }),
    ])
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'job_failed', date: '2025-01-12', alert: false }),
    )
    // The day did not fail: health and its alert leave it out, while the schedule still runs it again.
    expect(await listFailedDates(db, { job: DAILY_AGGREGATION_JOB })).toEqual([])
    expect(await listFailedDates(db, { job: DAILY_AGGREGATION_JOB, includeInterrupted: true })).toEqual([
      expect.objectContaining({ date: '2025-01-12' }),
    ])
  })

  it('skips a date whose lock another run holds, and logs it', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    await insertCalls(db, [callRow(projectId, { timestamp: '2025-01-07T10:00:00Z' })])
    const second = aggregation(db, ['2025-01-07'])
    const outcome = await withAdvisoryLock(
      db,
      { job: DAILY_AGGREGATION_JOB, subKey: utcDayNumber('2025-01-07') },
      () => second.run(),
    )
    expect(outcome).toMatchObject({
      acquired: true,
      value: [expect.objectContaining({ status: 'skipped', stored: 0 })],
    })
    expect(second.lines).toContainEqual(expect.objectContaining({ msg: 'job_skipped', reason: 'lock_held' }))
    expect(await dayStatus(db, projectId, '2025-01-07')).toBeUndefined()
    const [after] = await aggregation(db, ['2025-01-07']).run()
    expect(after?.status).toBe('succeeded')
  })

  it('reads raw rows in chunks, and a day aggregated in chunks equals one read whole', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    await insertCalls(db, [
      // Three calls at the same instant: the walk goes by (timestamp, id), so none is skipped or read twice.
      callRow(projectId, { timestamp: '2025-01-08T10:00:00Z', costUsd: '0.000000000001' }),
      callRow(projectId, { timestamp: '2025-01-08T10:00:00Z', costUsd: '0.000000000010' }),
      callRow(projectId, { timestamp: '2025-01-08T10:00:00Z', costUsd: '0.000000000100', model: 'gpt-4o' }),
      callRow(projectId, { timestamp: '2025-01-08T11:00:00Z', costUsd: '0.000000001000', status: 'error' }),
      callRow(projectId, { timestamp: '2025-01-08T23:00:00Z', costUsd: '0.000000010000', feature: null }),
    ])
    const statements: RecordedStatement[] = []
    const [chunked] = await aggregation(recordingDatabase(db, statements), ['2025-01-08'], {
      chunkRows: 2,
    }).run()
    expect(chunked).toMatchObject({ status: 'succeeded', stored: 1, rowsAggregated: 5 })
    const chunks = statements.filter((statement) => statement.sql.includes('WITH chunk AS MATERIALIZED'))
    const ofProject = chunks.filter((statement) => statement.params[0] === projectId)
    // Fingerprint and rebuild each walk the day in chunks of at most 2 rows: 2 + 2 + 1.
    expect(ofProject.map((statement) => [statement.params[5], statement.rows[0]?.rows])).toEqual([
      [2, 2],
      [2, 2],
      [2, 1],
      [2, 2],
      [2, 2],
      [2, 1],
    ])
    expect(await aggregatesOf(db, projectId, '2025-01-08')).toEqual([
      expect.objectContaining({ model: 'gpt-4o', requests: 1, cost: '0.000000000100' }),
      expect.objectContaining({
        model: 'gpt-4o-mini',
        feature: 'support-chat',
        requests: 3,
        errors: 1,
        cost: '0.000000001011',
      }),
      expect.objectContaining({ model: 'gpt-4o-mini', feature: null, requests: 1, cost: '0.000000010000' }),
    ])
    expect(await dayStatus(db, projectId, '2025-01-08')).toBe('verified')
    // The fingerprint does not depend on the chunk size: read whole, the day is already current.
    const [whole] = await aggregation(db, ['2025-01-08']).run()
    expect(whole).toMatchObject({ status: 'succeeded', stored: 0, rowsAggregated: 0 })
  })

  it('closes a run left "running" by a crashed process once it holds the day', async () => {
    const db = getDb()
    const crashedRunId = randomUUID()
    await insertJobRun(db, {
      runId: crashedRunId,
      job: DAILY_AGGREGATION_JOB,
      targetDate: '2025-01-09',
      trigger: 'schedule',
    })
    const { run, runId } = aggregation(db, ['2025-01-09'])
    await run()
    expect(await listJobRunsByRunId(db, crashedRunId)).toEqual([
      expect.objectContaining({ status: 'failed', error: expect.stringMatching(/^abandoned/) }),
    ])
    expect(await listJobRunsByRunId(db, runId)).toEqual([expect.objectContaining({ status: 'succeeded' })])
    // The later success is the day's latest run: it is not reported as failed.
    expect(await listFailedDates(db, { job: DAILY_AGGREGATION_JOB })).not.toContainEqual(
      expect.objectContaining({ date: '2025-01-09' }),
    )
    // A finished failure of another date is left alone.
    const other = await insertJobRun(db, {
      runId: randomUUID(),
      job: DAILY_AGGREGATION_JOB,
      targetDate: '2025-01-10',
      trigger: 'schedule',
    })
    await finishJobRun(db, { id: other, status: 'failed', attempts: 3, error: 'disk full', durationMs: 1 })
    await aggregation(db, ['2025-01-09']).run()
    expect(await listFailedDates(db, { job: DAILY_AGGREGATION_JOB })).toContainEqual(
      expect.objectContaining({ date: '2025-01-10', error: 'disk full' }),
    )
  })

  it('refuses the current day unless asked by hand', async () => {
    const db = getDb()
    await expect(aggregation(db, ['2025-06-01']).run()).rejects.toMatchObject({ code: 'INVALID_JOB_PARAMS' })
    const [today] = await aggregation(db, ['2025-06-01'], { includeToday: true }).run()
    expect(today?.status).toBe('succeeded')
  })
})

describe('daily aggregation across connections and processes [postgres]', () => {
  let handle: Awaited<ReturnType<typeof openTestDatabase>>
  let other: Database
  const children: ChildProcess[] = []
  beforeAll(async () => {
    handle = await openTestDatabase('postgres')
    other = await openPostgresDatabase({
      connectionString: TEST_POSTGRES_URL,
      schema: handle.schema,
      poolSize: 3,
    })
  })
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL')
    await other.close()
    await handle.dispose()
  })

  it('lets one of two concurrent runs on separate connections execute; the other skips', async () => {
    const projectId = await createProject(handle.db)
    await insertCalls(handle.db, [callRow(projectId, { timestamp: '2025-02-01T10:00:00Z' })])
    // The first run stops inside its transaction until the test lets go of lock 4242, so the second run
    // certainly starts while the first holds the day.
    await handle.db.exec(`
      CREATE FUNCTION wait_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_lock(4242); PERFORM pg_advisory_unlock(4242); RETURN NEW; END $$;
      CREATE TRIGGER wait_for_test BEFORE INSERT ON llm_call_daily_aggregates
        FOR EACH ROW WHEN (NEW.day = '2025-02-01') EXECUTE FUNCTION wait_for_test();`)
    const [first, second] = await handle.db.withConnection(async (gate) => {
      await gate.query('SELECT pg_advisory_lock(4242)')
      const firstRun = aggregation(other, ['2025-02-01']).run()
      for (let tries = 0; tries < 200; tries++) {
        const { rows } = await gate.query<{ waiting: number }>(
          "SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND objsubid = 1 AND NOT granted",
        )
        if (rows[0]?.waiting) break
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      const secondRun = await aggregation(handle.db, ['2025-02-01']).run()
      await gate.query('SELECT pg_advisory_unlock(4242)')
      return [await firstRun, secondRun]
    })
    await handle.db.exec(
      'DROP TRIGGER wait_for_test ON llm_call_daily_aggregates; DROP FUNCTION wait_for_test();',
    )
    expect(first).toEqual([expect.objectContaining({ status: 'succeeded', stored: 1 })])
    expect(second).toEqual([expect.objectContaining({ status: 'skipped', stored: 0 })])
  })

  it('aggregates a day from one snapshot: a row arriving meanwhile leaves it verified and is folded in next run', async () => {
    const projectId = await createProject(handle.db)
    await insertCalls(handle.db, [
      callRow(projectId, { timestamp: '2025-02-03T10:00:00Z', costUsd: '1.000000000000' }),
    ])
    // The run stops between fingerprinting the day and rebuilding its aggregate (the rebuild starts with a
    // DELETE), until the test lets go of 4243.
    await handle.db.exec(`
      CREATE FUNCTION hold_aggregate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_lock(4243); PERFORM pg_advisory_unlock(4243); RETURN NULL; END $$;
      CREATE TRIGGER hold_aggregate BEFORE DELETE ON llm_call_daily_aggregates
        FOR EACH STATEMENT EXECUTE FUNCTION hold_aggregate();`)
    const [first] = await handle.db.withConnection(async (gate) => {
      await gate.query('SELECT pg_advisory_lock(4243)')
      const running = aggregation(other, ['2025-02-03']).run()
      for (let tries = 0; tries < 200; tries++) {
        const { rows } = await gate.query<{ waiting: number }>(
          "SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND objid = 4243 AND objsubid = 1 AND NOT granted",
        )
        if (rows[0]?.waiting) break
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      await insertCalls(handle.db, [
        callRow(projectId, { timestamp: '2025-02-03T11:00:00Z', costUsd: '2.000000000000' }),
      ])
      await gate.query('SELECT pg_advisory_unlock(4243)')
      return running
    })
    await handle.db.exec(
      'DROP TRIGGER hold_aggregate ON llm_call_daily_aggregates; DROP FUNCTION hold_aggregate();',
    )
    expect(first).toMatchObject({ status: 'succeeded', stored: 1, unverified: 0 })
    expect(await dayStatus(handle.db, projectId, '2025-02-03')).toBe('verified')
    expect(await aggregatesOf(handle.db, projectId, '2025-02-03')).toEqual([
      expect.objectContaining({ requests: 1, cost: '1.000000000000' }),
    ])
    const [next] = await aggregation(handle.db, ['2025-02-03']).run()
    expect(next).toMatchObject({ status: 'succeeded', stored: 1, unverified: 0 })
    expect(await aggregatesOf(handle.db, projectId, '2025-02-03')).toEqual([
      expect.objectContaining({ requests: 2, cost: '3.000000000000' }),
    ])
  })

  it('proceeds once a process that held the lock is killed', async () => {
    const projectId = await createProject(handle.db)
    await insertCalls(handle.db, [callRow(projectId, { timestamp: '2025-02-02T10:00:00Z' })])
    const script = fileURLToPath(new URL('./__fixtures__/hold-advisory-lock.ts', import.meta.url))
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        script,
        TEST_POSTGRES_URL,
        handle.schema ?? '',
        DAILY_AGGREGATION_JOB,
        String(utcDayNumber('2025-02-02')),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    children.push(child)
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer]
    expect(chunk.toString()).toBe('locked\n')

    const [whileHeld] = await aggregation(handle.db, ['2025-02-02']).run()
    expect(whileHeld?.status).toBe('skipped')

    child.kill('SIGKILL')
    await once(child, 'exit')
    // The server ends the dead session as soon as it reads the closed socket; wait for that, not for a time.
    let after = await aggregation(handle.db, ['2025-02-02']).run()
    for (let tries = 0; after[0]?.status === 'skipped' && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      after = await aggregation(handle.db, ['2025-02-02']).run()
    }
    expect(after[0]).toMatchObject({ status: 'succeeded', stored: 1 })
  })
})
