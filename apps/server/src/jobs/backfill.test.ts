import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../logging/logger.ts'
import type { Database } from '../storage/database.ts'
import { openPostgresDatabase } from '../storage/postgres-database.ts'
import { sumDailyAggregates } from '../storage/repositories/aggregates-repository.ts'
import { tryAcquireJobLease } from '../storage/repositories/job-leases-repository.ts'
import { listJobRunsByRunId } from '../storage/repositories/job-runs-repository.ts'
import { describeEachDatabase, openTestDatabase, TEST_POSTGRES_URL } from '../testing/test-databases.ts'
import { callRow, createProject, insertCalls } from './__fixtures__/call-rows.ts'
import { BACKFILL_JOB, type BackfillSummary } from './backfill.ts'
import { createJobService, type JobHooks, type JobParams } from './job-service.ts'
import { listUtcDays } from './utc-days.ts'

const logger = createLogger({ level: 'silent' })
const NOW = () => Date.parse('2025-08-20T12:00:00Z')

async function seedDays(db: Database, days: readonly string[]): Promise<string> {
  const projectId = await createProject(db)
  await insertCalls(
    db,
    days.flatMap((day) => [
      callRow(projectId, { timestamp: `${day}T01:00:00Z`, costUsd: '0.100000000000' }),
      callRow(projectId, { timestamp: `${day}T22:00:00Z`, costUsd: '0.000000000001', model: 'gpt-4o' }),
    ]),
  )
  return projectId
}

/** Runs a backfill as the CLI does, through the job service; its summary, with the run's id. */
async function runBackfill(
  db: Database,
  params: JobParams['backfill'],
  options: { hooks?: JobHooks; onStart?: (stop: (reason: Error) => void) => void } = {},
): Promise<BackfillSummary> {
  const jobs = createJobService({ db, logger, now: NOW })
  options.onStart?.((reason) => void jobs.stop(reason))
  const { done } = await jobs.start('backfill', params, 'cli', options.hooks)
  return (await done).result as BackfillSummary
}

describeEachDatabase('backfill', (getDb) => {
  it('aggregates a range in batches, reports progress, and a second run finds every day current', async () => {
    const db = getDb()
    const days = listUtcDays('2025-08-01', '2025-08-05')
    const projectId = await seedDays(db, days)
    const progress: Array<[number, number]> = []
    const summary = await runBackfill(
      db,
      { from: '2025-08-01', to: '2025-08-05', batchDays: 2, delayMs: 0, concurrency: 2 },
      { hooks: { onProgress: (done, total) => progress.push([done, total]) } },
    )
    expect(summary).toMatchObject({
      days: 5,
      succeeded: 5,
      skipped: 0,
      failed: [],
      stored: 5,
      rowsAggregated: 10,
    })
    expect(progress).toEqual([1, 2, 3, 4, 5].map((done) => [done, 5]))
    expect(await sumDailyAggregates(db, { projectId, fromDay: '2025-08-01', toDay: '2025-08-05' })).toEqual({
      requests: 10,
      costUsd: '0.500000000005',
    })
    // The run itself has its row, beside one per day.
    const runs = await listJobRunsByRunId(db, summary.runId)
    expect(runs.map((run) => [run.job, run.targetDate, run.status, run.trigger])).toEqual(
      expect.arrayContaining([
        [BACKFILL_JOB, null, 'succeeded', 'cli'],
        ...days.map((day) => ['daily-aggregation', day, 'succeeded', 'cli']),
      ]),
    )
    expect(runs).toHaveLength(days.length + 1)

    const again = await runBackfill(db, { from: '2025-08-01', to: '2025-08-05', delayMs: 0 })
    expect(again).toMatchObject({ succeeded: 5, stored: 0, rowsAggregated: 0 })
  })

  it('stops between days when its signal aborts, and says how many days it ran and why it stopped', async () => {
    const db = getDb()
    await seedDays(db, listUtcDays('2025-05-01', '2025-05-03'))
    let stop: (reason: Error) => void = () => {}
    const summary = await runBackfill(
      db,
      { from: '2025-05-01', to: '2025-05-03', batchDays: 1, delayMs: 0 },
      {
        onStart: (stopJobs) => {
          stop = stopJobs
        },
        hooks: {
          onProgress: (done) => {
            if (done === 1) stop(new Error('the server is shutting down'))
          },
        },
      },
    )
    expect(summary).toMatchObject({
      days: 3,
      daysRun: 1,
      succeeded: 1,
      failed: [],
      stoppedBecause: 'the server is shutting down',
    })
    // The run is recorded as failed, saying how far it got; one day was aggregated.
    const runs = await listJobRunsByRunId(db, summary.runId)
    expect(runs.map((run) => [run.job, run.targetDate, run.status])).toEqual(
      expect.arrayContaining([
        [BACKFILL_JOB, null, 'failed'],
        ['daily-aggregation', '2025-05-01', 'succeeded'],
      ]),
    )
    expect(runs).toHaveLength(2)
    expect(runs.find((run) => run.job === BACKFILL_JOB)?.error).toMatch(/^stopped after 1 of 3 day\(s\)/)

    const resumed = await runBackfill(db, { from: '2025-05-01', to: '2025-05-03', delayMs: 0 })
    expect(resumed).toMatchObject({ days: 3, daysRun: 3, succeeded: 3, stored: 2 })
    expect(resumed.stoppedBecause).toBeUndefined()
  })

  it('refuses the open day unless asked, and a second backfill while one holds the lease', async () => {
    const db = getDb()
    await expect(runBackfill(db, { from: '2025-08-19', to: '2025-08-20' })).rejects.toMatchObject({
      code: 'INVALID_JOB_PARAMS',
    })
    const holder = randomUUID()
    await tryAcquireJobLease(db, { job: BACKFILL_JOB, holder: 'other-cli', runId: holder, ttlMs: 60_000 })
    await expect(runBackfill(db, { from: '2025-08-10', to: '2025-08-11' })).rejects.toMatchObject({
      code: 'JOB_ALREADY_RUNNING',
      runningRunId: holder,
    })
    await db.query('DELETE FROM job_leases WHERE job = $1', [BACKFILL_JOB])
  })
})

describe('backfill with a small connection pool [postgres]', () => {
  let handle: Awaited<ReturnType<typeof openTestDatabase>>
  beforeAll(async () => {
    handle = await openTestDatabase('postgres')
  })
  afterAll(async () => {
    await handle.dispose()
  })

  const withPool = async <T>(poolSize: number, work: (db: Database) => Promise<T>): Promise<T> => {
    const db = await openPostgresDatabase({
      connectionString: TEST_POSTGRES_URL,
      schema: handle.schema,
      poolSize,
    })
    try {
      return await work(db)
    } finally {
      await db.close()
    }
  }

  it('completes on a pool of one connection: a day runs on the connection that holds its lock', async () => {
    const projectId = await seedDays(handle.db, listUtcDays('2025-07-01', '2025-07-03'))
    const summary = await withPool(1, (db) =>
      runBackfill(db, { from: '2025-07-01', to: '2025-07-03', delayMs: 0 }),
    )
    expect(summary).toMatchObject({ succeeded: 3, failed: [], stored: 3 })
    expect(
      await sumDailyAggregates(handle.db, { projectId, fromDay: '2025-07-01', toDay: '2025-07-03' }),
    ).toEqual({ requests: 6, costUsd: '0.300000000003' })
  })

  it('runs several days at once with one connection per day in flight', async () => {
    const projectId = await seedDays(handle.db, listUtcDays('2025-06-01', '2025-06-06'))
    const summary = await withPool(4, (db) =>
      runBackfill(db, { from: '2025-06-01', to: '2025-06-06', delayMs: 0, concurrency: 3 }),
    )
    expect(summary).toMatchObject({ days: 6, succeeded: 6, failed: [], stored: 6 })
    expect(
      await sumDailyAggregates(handle.db, { projectId, fromDay: '2025-06-01', toDay: '2025-06-06' }),
    ).toEqual({ requests: 12, costUsd: '0.600000000006' })
  })
})
