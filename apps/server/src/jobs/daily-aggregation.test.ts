import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../logging/logger.ts'
import type { Database } from '../storage/database.ts'
import { openPostgresDatabase } from '../storage/postgres-database.ts'
import { listFailedDates, listJobRunsByRunId } from '../storage/repositories/job-runs-repository.ts'
import { getJobState } from '../storage/repositories/job-state-repository.ts'
import { describeEachDatabase, openTestDatabase, TEST_POSTGRES_URL } from '../testing/test-databases.ts'
import { callRow, createProject, insertCalls } from './__fixtures__/call-rows.ts'
import { withAdvisoryLock } from './advisory-lock.ts'
import {
  DAILY_AGGREGATION_JOB,
  type DailyAggregationOptions,
  runDailyAggregation,
} from './daily-aggregation.ts'
import { JobMetrics } from './job-metrics.ts'
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
    await db.exec(`
      CREATE FUNCTION fail_aggregate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'disk full'; END $$;
      CREATE TRIGGER fail_aggregate BEFORE INSERT ON llm_call_daily_aggregates
        FOR EACH ROW WHEN (NEW.day = '2025-01-05') EXECUTE FUNCTION fail_aggregate();`)
    const failing = aggregation(db, ['2025-01-05', '2025-01-06'])
    const summaries = await failing.run()
    await db.exec('DROP TRIGGER fail_aggregate ON llm_call_daily_aggregates; DROP FUNCTION fail_aggregate();')
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
