import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import { createLogger } from '../logging/logger.ts'
import type { Database } from '../storage/database.ts'
import { tryAcquireJobLease } from '../storage/repositories/job-leases-repository.ts'
import {
  finishJobRun,
  insertJobRun,
  listJobRunsByRunId,
} from '../storage/repositories/job-runs-repository.ts'
import { describeEachDatabase } from '../testing/test-databases.ts'
import { callRow, createProject, insertCalls } from './__fixtures__/call-rows.ts'
import { DAILY_AGGREGATION_JOB, runDailyAggregation } from './daily-aggregation.ts'
import type { JobError } from './job-error.ts'
import { JobMetrics } from './job-metrics.ts'
import { createJobService } from './job-service.ts'

const logger = createLogger({ level: 'silent' })

function service(db: Database, nowIso: string) {
  return createJobService({ db, logger, now: () => Date.parse(nowIso), retryBaseDelayMs: 1 })
}

describeEachDatabase('job service', (getDb) => {
  it('refuses a second start while a lease is held, and takes over a lease whose holder died', async () => {
    const db = getDb()
    const jobs = service(db, '2025-08-01T00:00:00Z')
    const holderRunId = randomUUID()
    expect(
      await tryAcquireJobLease(db, {
        job: 'retention',
        holder: 'other-process',
        runId: holderRunId,
        ttlMs: 60_000,
      }),
    ).toBe(true)
    await expect(jobs.start('retention', { dryRun: true }, 'api')).rejects.toMatchObject({
      code: 'JOB_ALREADY_RUNNING',
      runningRunId: holderRunId,
      message: expect.stringMatching(
        /by other-process, started .*its lease expires in (60|59) s; try again then\.$/,
      ),
    })

    // A holder that crashed stops renewing: once its lease has expired the next run proceeds.
    await db.query(`UPDATE job_leases SET expires_at = now() - interval '1 second' WHERE job = 'retention'`)
    const { runId, done } = await jobs.start('retention', { dryRun: true }, 'api')
    await done
    expect(await listJobRunsByRunId(db, runId)).toEqual([
      expect.objectContaining({ job: 'retention', status: 'succeeded' }),
    ])
    // The lease is given back when the run ends.
    const again = await jobs.start('retention', { dryRun: true }, 'api')
    await again.done
  })

  it('never runs two starts of one job at once in-process', async () => {
    const db = getDb()
    const lines: Array<{ msg: string; runId?: string }> = []
    const jobs = createJobService({
      db,
      logger: createLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line)) }),
      now: () => Date.parse('2025-08-01T00:00:00Z'),
      retryBaseDelayMs: 1,
    })
    // Both starts are asked for at once. The second is refused while the first holds the lease; an
    // empty run can also finish and give the lease back before the second asks, and then both run,
    // one after the other. Never both at once.
    const starts = await Promise.allSettled([
      jobs.start('rollup-refresh', {}, 'api'),
      jobs.start('rollup-refresh', {}, 'api'),
    ])
    const started = starts.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : []))
    const refused = starts.flatMap((start) => (start.status === 'rejected' ? [start.reason] : []))
    expect(started.length).toBeGreaterThanOrEqual(1)
    for (const error of refused) {
      expect(error).toMatchObject({ code: 'JOB_ALREADY_RUNNING' })
      // The refusal names the holder when it is still running at the look-up.
      const { runningRunId } = error as JobError
      if (runningRunId !== undefined) expect(runningRunId).toBe(started[0]?.runId)
    }
    await Promise.all(started.map((start) => start.done))

    const events = lines.filter((line) => line.msg === 'job_started' || line.msg === 'job_completed')
    expect(events).toHaveLength(2 * started.length)
    let running: string | undefined
    for (const event of events) {
      if (event.msg === 'job_started') {
        expect(running).toBeUndefined()
        running = event.runId
      } else {
        expect(event.runId).toBe(running)
        running = undefined
      }
    }
  })

  it('fills the three days a 3-day outage left without aggregates when it starts again', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    const days = ['2025-07-05', '2025-07-06', '2025-07-07', '2025-07-08', '2025-07-09']
    await insertCalls(
      db,
      days.map((day) => callRow(projectId, { timestamp: `${day}T12:00:00Z` })),
    )
    // Before the outage the server aggregated its days as usual.
    await runDailyAggregation({
      db,
      logger,
      metrics: new JobMetrics(),
      runId: randomUUID(),
      trigger: 'schedule',
      days: ['2025-07-01', '2025-07-02', '2025-07-03', '2025-07-04', '2025-07-05', '2025-07-06'],
      now: () => Date.parse('2025-07-07T00:05:00Z'),
    })
    const { runId, done } = await service(db, '2025-07-10T08:00:00Z').start(
      DAILY_AGGREGATION_JOB,
      { mode: 'missing' },
      'startup',
    )
    await done
    const runs = await listJobRunsByRunId(db, runId)
    expect(runs.map((run) => [run.targetDate, run.status, run.trigger])).toEqual([
      ['2025-07-07', 'succeeded', 'startup'],
      ['2025-07-08', 'succeeded', 'startup'],
      ['2025-07-09', 'succeeded', 'startup'],
    ])
  })

  it('retries days that failed earlier on the next scheduled run, with the last 7 closed days', async () => {
    const db = getDb()
    const failedRow = await insertJobRun(db, {
      runId: randomUUID(),
      job: DAILY_AGGREGATION_JOB,
      targetDate: '2025-09-20',
      trigger: 'schedule',
    })
    await finishJobRun(db, {
      id: failedRow,
      status: 'failed',
      attempts: 3,
      error: 'disk full',
      durationMs: 5,
    })
    const { runId, done } = await service(db, '2025-10-01T00:05:00Z').start(
      DAILY_AGGREGATION_JOB,
      {},
      'schedule',
    )
    await done
    const runs = await listJobRunsByRunId(db, runId)
    expect(runs.map((run) => run.targetDate)).toEqual([
      '2025-09-20',
      '2025-09-24',
      '2025-09-25',
      '2025-09-26',
      '2025-09-27',
      '2025-09-28',
      '2025-09-29',
      '2025-09-30',
    ])
  })

  it('records a backfill stopped by shutdown as failed, with the days it ran and how to resume', async () => {
    const db = getDb()
    const lines: Array<Record<string, unknown>> = []
    const jobs = createJobService({
      db,
      logger: createLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line)) }),
      now: () => Date.parse('2025-08-20T12:00:00Z'),
    })
    // One day per batch and a long pause after it: the shutdown comes while the backfill waits.
    const { runId, done } = await jobs.start(
      'backfill',
      { from: '2025-04-01', to: '2025-04-03', batchDays: 1, delayMs: 600_000 },
      'api',
    )
    for (let tries = 0; tries < 500; tries++) {
      const runs = await listJobRunsByRunId(db, runId)
      if (runs.some((run) => run.targetDate !== null && run.status !== 'running')) break
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    await jobs.stop()
    expect(await done).toMatchObject({ status: 'failed', result: { days: 3, daysRun: 1 } })
    const runs = await listJobRunsByRunId(db, runId)
    expect(runs.map((run) => [run.job, run.targetDate, run.status])).toEqual([
      ['backfill', null, 'failed'],
      [DAILY_AGGREGATION_JOB, '2025-04-01', 'succeeded'],
    ])
    expect(runs[0]).toMatchObject({
      processed: 1,
      error:
        'stopped after 1 of 3 day(s) (the server is shutting down); start the same backfill again to resume: days already current are skipped',
    })
    // Stopping for a shutdown is no fault an operator must be paged for.
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'job_failed', job: 'backfill', alert: false }),
    )
  })

  it('refuses today and malformed parameters before starting anything', async () => {
    const db = getDb()
    const jobs = service(db, '2025-10-01T12:00:00Z')
    await expect(jobs.start(DAILY_AGGREGATION_JOB, { date: '2025-10-01' }, 'api')).rejects.toMatchObject({
      code: 'INVALID_JOB_PARAMS',
    })
    const { done } = await jobs.start(
      DAILY_AGGREGATION_JOB,
      { date: '2025-10-01', includeToday: true },
      'api',
    )
    await done
    // A recompute may end today, not on a day that has not begun.
    await expect(
      jobs.start('recompute', { from: '2025-10-01', to: '2025-10-02' }, 'api'),
    ).rejects.toMatchObject({
      code: 'INVALID_JOB_PARAMS',
      message: expect.stringMatching(/^2025-10-02 has not begun yet \(today is 2025-10-01 UTC\)/),
    })
    const recompute = await jobs.start(
      'recompute',
      { from: '2025-10-01', to: '2025-10-01', dryRun: true },
      'api',
    )
    expect((await recompute.done).status).toBe('succeeded')
  })

  it('records a recompute dry run as storing nothing, and the real run as storing what it changed', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    // Stored at $0.0001; the catalogue prices it at 900 × $0.15 + 100 × $0.075 + 200 × $0.60 per million.
    await insertCalls(db, [callRow(projectId, { timestamp: '2025-09-10T10:00:00Z' })])
    const jobs = service(db, '2025-10-01T12:00:00Z')
    const range = { from: '2025-09-10', to: '2025-09-10', projectId }
    for (const [dryRun, stored] of [
      [true, 0],
      [false, 1],
    ] as const) {
      const { runId, done } = await jobs.start('recompute', { ...range, dryRun }, 'api')
      expect((await done).status).toBe('succeeded')
      const [run] = (await listJobRunsByRunId(db, runId)).filter((row) => row.job === 'recompute')
      expect(run, `dryRun: ${dryRun}`).toMatchObject({ processed: 1, stored })
    }
  })
})
