import { Cron } from 'croner'
import { expect, it } from 'vitest'
import { createLogger } from '../logging/logger.ts'
import { listRecentJobRuns } from '../storage/repositories/job-runs-repository.ts'
import { sumRollups } from '../storage/repositories/rollups-repository.ts'
import { describeEachDatabase } from '../testing/test-databases.ts'
import { callRow, createProject, insertCalls } from './__fixtures__/call-rows.ts'
import { DAILY_AGGREGATION_JOB } from './daily-aggregation.ts'
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
