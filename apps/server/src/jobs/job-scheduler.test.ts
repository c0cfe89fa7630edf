import { randomUUID } from 'node:crypto'
import { Cron } from 'croner'
import { expect, it } from 'vitest'
import { createLogger } from '../logging/logger.ts'
import { listRecentJobRuns } from '../storage/repositories/job-runs-repository.ts'
import { sumRollups } from '../storage/repositories/rollups-repository.ts'
import { describeEachDatabase } from '../testing/test-databases.ts'
import { callRow, createProject, insertCalls } from './__fixtures__/call-rows.ts'
import { DAILY_AGGREGATION_JOB, runDailyAggregation } from './daily-aggregation.ts'
import { JobMetrics } from './job-metrics.ts'
import { DAILY_AGGREGATION_CRON, RETENTION_CRON, startJobScheduler } from './job-scheduler.ts'
import { createJobService } from './job-service.ts'

describeEachDatabase('job scheduler', (getDb) => {
  it('fills missing days and refreshes rollups at start, then stops cleanly', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-11-03T10:00:00Z', costUsd: '2.000000000000' }),
    ])
    const lines: Array<Record<string, unknown>> = []
    const logger = createLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line)) })
    const jobs = createJobService({ db, logger, now: () => Date.parse('2025-11-05T06:00:00Z') })
    const scheduler = startJobScheduler({ db, jobs, logger, rollupIntervalMs: 3_600_000 })
    await scheduler.startup
    await scheduler.stop()
    expect(
      await sumRollups(db, { projectId, fromUtc: '2025-11-03T00:00:00Z', toUtc: '2025-11-04T00:00:00Z' }),
    ).toEqual({
      requests: 1,
      costUsd: '2.000000000000',
    })
    const runs = await listRecentJobRuns(db, { job: DAILY_AGGREGATION_JOB, limit: 10 })
    expect(runs).toEqual([
      expect.objectContaining({ targetDate: '2025-11-03', trigger: 'startup', status: 'succeeded' }),
    ])
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'job_completed', job: DAILY_AGGREGATION_JOB, date: '2025-11-03' }),
    )
    await expect(jobs.start('rollup-refresh', {}, 'api')).rejects.toMatchObject({ code: 'JOBS_STOPPED' })
  })

  it('after a 3-day outage, fills the 3 missing days at start-up; an older gap is left to backfill', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    const logger = createLogger({ level: 'silent' })
    const days = ['2025-06-20', '2025-07-05', '2025-07-06', '2025-07-07', '2025-07-08', '2025-07-09']
    await insertCalls(
      db,
      days.map((day) => callRow(projectId, { timestamp: `${day}T12:00:00Z` })),
    )
    // The server aggregated 5 and 6 July, then was down from 7 July 00:00 until 10 July 08:00.
    await runDailyAggregation({
      db,
      logger,
      metrics: new JobMetrics(),
      runId: randomUUID(),
      trigger: 'schedule',
      days: ['2025-07-05', '2025-07-06'],
      now: () => Date.parse('2025-07-07T00:05:00Z'),
    })
    const jobs = createJobService({ db, logger, now: () => Date.parse('2025-07-10T08:00:00Z') })
    const scheduler = startJobScheduler({ db, jobs, logger, rollupIntervalMs: 3_600_000 })
    await scheduler.startup
    await scheduler.stop()
    const runs = await listRecentJobRuns(db, { job: DAILY_AGGREGATION_JOB, limit: 20 })
    expect(
      runs
        .filter((run) => run.trigger === 'startup' && run.targetDate?.startsWith('2025-07'))
        .map((run) => [run.targetDate, run.status])
        .sort(),
    ).toEqual([
      ['2025-07-07', 'succeeded'],
      ['2025-07-08', 'succeeded'],
      ['2025-07-09', 'succeeded'],
    ])
    expect(runs.some((run) => run.targetDate === '2025-06-20')).toBe(false)
  })

  it('keeps rollups current: a call stored after start-up is rolled up by the next refresh', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    const logger = createLogger({ level: 'silent' })
    const jobs = createJobService({ db, logger, now: () => Date.parse('2025-11-20T06:00:00Z') })
    const scheduler = startJobScheduler({ db, jobs, logger, rollupIntervalMs: 5 })
    try {
      await scheduler.startup
      await insertCalls(db, [
        callRow(projectId, { timestamp: '2025-11-19T10:00:00Z', costUsd: '3.000000000000' }),
      ])
      const day = { projectId, fromUtc: '2025-11-19T00:00:00Z', toUtc: '2025-11-20T00:00:00Z' }
      let rolledUp = await sumRollups(db, day)
      for (let tries = 0; tries < 1_000 && rolledUp.requests === 0; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
        rolledUp = await sumRollups(db, day)
      }
      expect(rolledUp).toEqual({ requests: 1, costUsd: '3.000000000000' })
    } finally {
      await scheduler.stop()
    }
  })

  it('schedules the daily aggregation at 00:05 UTC and retention after it', () => {
    const daily = new Cron(DAILY_AGGREGATION_CRON, { timezone: 'UTC', paused: true })
    expect(daily.nextRun(new Date('2025-11-05T00:04:59Z'))?.toISOString()).toBe('2025-11-05T00:05:00.000Z')
    expect(daily.nextRun(new Date('2025-11-05T00:05:00Z'))?.toISOString()).toBe('2025-11-06T00:05:00.000Z')
    const retention = new Cron(RETENTION_CRON, { timezone: 'UTC', paused: true })
    expect(retention.nextRun(new Date('2025-11-05T00:05:00Z'))?.toISOString()).toBe(
      '2025-11-05T00:20:00.000Z',
    )
  })
})
