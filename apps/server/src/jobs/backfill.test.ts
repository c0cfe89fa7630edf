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
import { BACKFILL_JOB, runBackfill } from './backfill.ts'
import { JobMetrics } from './job-metrics.ts'
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

describeEachDatabase('backfill', (getDb) => {
  it('aggregates a range in batches, reports progress, and a second run finds every day current', async () => {
    const db = getDb()
    const days = listUtcDays('2025-08-01', '2025-08-05')
    const projectId = await seedDays(db, days)
    const progress: Array<[number, number]> = []
    const summary = await runBackfill({
      db,
      logger,
      metrics: new JobMetrics(),
      fromDay: '2025-08-01',
      toDay: '2025-08-05',
      batchDays: 2,
      delayMs: 0,
      concurrency: 2,
      chunkRows: 1,
      onProgress: (done, total) => progress.push([done, total]),
      now: NOW,
    })
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
    const runs = await listJobRunsByRunId(db, summary.runId)
    expect(runs.map((run) => [run.targetDate, run.status, run.trigger]).sort()).toEqual(
      days.map((day) => [day, 'succeeded', 'cli']),
    )

    const again = await runBackfill({
      db,
      logger,
      metrics: new JobMetrics(),
      fromDay: '2025-08-01',
      toDay: '2025-08-05',
      delayMs: 0,
      now: NOW,
    })
    expect(again).toMatchObject({ succeeded: 5, stored: 0, rowsAggregated: 0 })
  })

  it('stops between days when its signal aborts, and says how many days it ran and why it stopped', async () => {
    const db = getDb()
    await seedDays(db, listUtcDays('2025-05-01', '2025-05-03'))
    const shutdown = new AbortController()
    const summary = await runBackfill({
      db,
      logger,
      metrics: new JobMetrics(),
      fromDay: '2025-05-01',
      toDay: '2025-05-03',
      batchDays: 1,
      delayMs: 0,
      onProgress: (done) => {
        if (done === 1) shutdown.abort(new Error('the server is shutting down'))
      },
      signal: shutdown.signal,
      now: NOW,
    })
    expect(summary).toMatchObject({
      days: 3,
      daysRun: 1,
      succeeded: 1,
      failed: [],
      stoppedBecause: 'the server is shutting down',
    })
    expect((await listJobRunsByRunId(db, summary.runId)).map((run) => run.targetDate)).toEqual(['2025-05-01'])

    const resumed = await runBackfill({
      db,
      logger,
      metrics: new JobMetrics(),
      fromDay: '2025-05-01',
      toDay: '2025-05-03',
      delayMs: 0,
      now: NOW,
    })
    expect(resumed).toMatchObject({ days: 3, daysRun: 3, succeeded: 3, stored: 2 })
    expect(resumed.stoppedBecause).toBeUndefined()
  })

  it('refuses the open day unless asked, and a second backfill while one holds the lease', async () => {
    const db = getDb()
    await expect(
      runBackfill({
        db,
        logger,
        metrics: new JobMetrics(),
        fromDay: '2025-08-19',
        toDay: '2025-08-20',
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_JOB_PARAMS' })
    const holder = randomUUID()
    await tryAcquireJobLease(db, { job: BACKFILL_JOB, holder: 'other-cli', runId: holder, ttlMs: 60_000 })
    await expect(
      runBackfill({
        db,
        logger,
        metrics: new JobMetrics(),
        fromDay: '2025-08-10',
        toDay: '2025-08-11',
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: 'JOB_ALREADY_RUNNING', runningRunId: holder })
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
      runBackfill({
        db,
        logger,
        metrics: new JobMetrics(),
        fromDay: '2025-07-01',
        toDay: '2025-07-03',
        delayMs: 0,
        now: NOW,
      }),
    )
    expect(summary).toMatchObject({ succeeded: 3, failed: [], stored: 3 })
    expect(
      await sumDailyAggregates(handle.db, { projectId, fromDay: '2025-07-01', toDay: '2025-07-03' }),
    ).toEqual({ requests: 6, costUsd: '0.300000000003' })
  })

  it('runs several days at once with one connection per day in flight', async () => {
    const projectId = await seedDays(handle.db, listUtcDays('2025-06-01', '2025-06-06'))
    const summary = await withPool(4, (db) =>
      runBackfill({
        db,
        logger,
        metrics: new JobMetrics(),
        fromDay: '2025-06-01',
        toDay: '2025-06-06',
        delayMs: 0,
        concurrency: 3,
        now: NOW,
      }),
    )
    expect(summary).toMatchObject({ days: 6, succeeded: 6, failed: [], stored: 6 })
    expect(
      await sumDailyAggregates(handle.db, { projectId, fromDay: '2025-06-01', toDay: '2025-06-06' }),
    ).toEqual({ requests: 12, costUsd: '0.600000000006' })
  })
})
