import { setTimeout as sleep } from 'node:timers/promises'
import { Cron } from 'croner'
import type { Logger } from '../logging/logger.ts'
import type { Database } from '../storage/database.ts'
import { getJobState } from '../storage/repositories/job-state-repository.ts'
import { DAILY_AGGREGATION_JOB } from './daily-aggregation.ts'
import { JobError } from './job-error.ts'
import type { JobName, JobParams, JobService } from './job-service.ts'
import { RETENTION_JOB } from './retention.ts'
import { ROLLUP_REFRESH_JOB } from './rollup-refresh.ts'

/** When the daily aggregation runs: 00:05 UTC, for the days that just ended. */
export const DAILY_AGGREGATION_CRON = '5 0 * * *'
/** When retention runs: 00:20 UTC, after the aggregation of the day before. */
export const RETENTION_CRON = '20 0 * * *'

/** Options for `startJobScheduler`. */
export interface JobSchedulerOptions {
  db: Database
  jobs: JobService
  logger: Logger
  /** Pause between two rollup refreshes. */
  rollupIntervalMs: number
  /** While another process runs a scheduled job, try again this often. Default 60,000 ms. */
  busyRetryMs?: number
  /** Give up on a busy scheduled job after this many tries. Default 60. */
  busyRetries?: number
}

/** The running schedule. */
export interface JobScheduler {
  /** Settles when the start-up work (missing aggregates, first rollup refresh) is done. */
  readonly startup: Promise<void>
  /** Stops the timers, then lets running jobs stop between batches and waits for them. */
  stop(): Promise<void>
}

/**
 * Starts the jobs of a server process: on start, the missing aggregates of the last 7 days; a rollup refresh
 * every `rollupIntervalMs`; the daily aggregation at 00:05 UTC and retention at 00:20 UTC. Every process may
 * run a scheduler: leases let one run each job at a time.
 */
export function startJobScheduler(options: JobSchedulerOptions): JobScheduler {
  const { jobs, logger } = options
  const stopping = new AbortController()
  const inFlight = new Set<Promise<void>>()
  const track = (work: Promise<void>): Promise<void> => {
    inFlight.add(work)
    void work.finally(() => inFlight.delete(work))
    return work
  }

  /** Runs a job once; false when another run of it held the lease. */
  async function runOnce<Name extends JobName>(
    name: Name,
    params: JobParams[Name],
    trigger: 'schedule' | 'startup',
  ): Promise<boolean> {
    try {
      const { done } = await jobs.start(name, params, trigger)
      await done
      return true
    } catch (error) {
      if (JobError.isInstance(error) && error.code === 'JOB_ALREADY_RUNNING') return false
      if (JobError.isInstance(error) && error.code === 'JOBS_STOPPED') return true
      logger.error('job_failed', { job: name, trigger, error: String(error), alert: true })
      return true
    }
  }

  /** A scheduled job that finds another run holding it tries again, until a run has succeeded since it fired. */
  async function runScheduled<Name extends JobName>(name: Name, params: JobParams[Name]): Promise<void> {
    const firedAtMs = Date.now()
    const retries = options.busyRetries ?? 60
    for (let attempt = 0; attempt <= retries && !stopping.signal.aborted; attempt++) {
      if (await runOnce(name, params, 'schedule')) return
      const { lastSuccessAt } = await getJobState(options.db, name)
      if (lastSuccessAt && Date.parse(lastSuccessAt) >= firedAtMs) return
      logger.info('job_busy', { job: name, retryInMs: options.busyRetryMs ?? 60_000 })
      await sleep(options.busyRetryMs ?? 60_000, undefined, { signal: stopping.signal }).catch(() => {})
    }
  }

  let refreshTimer: NodeJS.Timeout | undefined
  const refresh = (): Promise<void> =>
    track(
      runOnce(ROLLUP_REFRESH_JOB, {}, 'schedule').then(() => {
        if (!stopping.signal.aborted) refreshTimer = setTimeout(refresh, options.rollupIntervalMs)
      }),
    )
  const fillMissing = runOnce(DAILY_AGGREGATION_JOB, { mode: 'missing' }, 'startup').then((ran) => {
    if (!ran)
      logger.info('job_skipped', {
        job: DAILY_AGGREGATION_JOB,
        trigger: 'startup',
        reason: 'already_running',
      })
  })
  const startup = Promise.all([refresh(), track(fillMissing)]).then(() => {})
  const crons = [
    new Cron(DAILY_AGGREGATION_CRON, { timezone: 'UTC', protect: true }, () =>
      track(runScheduled(DAILY_AGGREGATION_JOB, { mode: 'recent' })),
    ),
    new Cron(RETENTION_CRON, { timezone: 'UTC', protect: true }, () =>
      track(runScheduled(RETENTION_JOB, {})),
    ),
  ]

  return {
    startup,
    async stop() {
      stopping.abort()
      clearTimeout(refreshTimer)
      for (const cron of crons) cron.stop()
      await jobs.stop()
      await Promise.all([...inFlight])
    },
  }
}
