import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../logging/logger.ts'
import type { Database } from '../storage/database.ts'
import { findActiveJobLease } from '../storage/repositories/job-leases-repository.ts'
import { type DayRunSummary, runDailyAggregation } from './daily-aggregation.ts'
import { JobError } from './job-error.ts'
import { acquireJobLease } from './job-lease.ts'
import type { JobMetrics } from './job-metrics.ts'
import { listUtcDays, utcDayOf } from './utc-days.ts'

/** Name of the backfill job (its lease keeps two backfills from running at once). */
export const BACKFILL_JOB = 'backfill'

/** Options for `runBackfill`. */
export interface BackfillOptions {
  db: Database
  logger: Logger
  metrics: JobMetrics
  fromDay: string
  toDay: string
  includeToday?: boolean
  /** Days aggregated between two pauses. Default 7. */
  batchDays?: number
  /** Pause between batches, leaving the database to live traffic. Default 1,000 ms. */
  delayMs?: number
  /** Called after every day with the days done so far and the total. */
  onProgress?: (doneDays: number, totalDays: number) => void
  now?: () => number
  signal?: AbortSignal
}

/** What a backfill did. */
export interface BackfillSummary {
  runId: string
  days: number
  succeeded: number
  /** Days another run held (the server aggregating the same day): left to it. */
  skipped: number
  failed: string[]
  /** Project-days whose aggregate was (re)built; the rest were already current. */
  stored: number
  unverified: number
  durationMs: number
}

/**
 * Aggregates a range of days in batches with a pause between them, one day at a time, each in SQL so memory
 * stays flat whatever the volume. Resumable: a day whose aggregate is current costs one fingerprint scan and
 * is skipped. Safe beside running servers: every day takes the same advisory lock the scheduled run takes.
 * @example
 * await runBackfill({ db, logger, metrics, fromDay: '2025-01-01', toDay: '2025-12-31' })
 */
export async function runBackfill(options: BackfillOptions): Promise<BackfillSummary> {
  const { db } = options
  const startedMs = performance.now()
  const today = utcDayOf((options.now ?? Date.now)())
  if (options.toDay >= today && !options.includeToday) {
    throw new JobError(
      'INVALID_JOB_PARAMS',
      `${options.toDay} is not over yet (today is ${today} UTC): end the range before it, or pass --include-today.`,
    )
  }
  const days = listUtcDays(options.fromDay, options.toDay)
  const batchDays = Math.max(1, options.batchDays ?? 7)
  const runId = randomUUID()
  const holder = `${hostname()}:${process.pid}:${runId.slice(0, 8)}`
  const lease = await acquireJobLease({ db, job: BACKFILL_JOB, holder, runId, ttlMs: 60_000 })
  if (!lease) {
    const active = await findActiveJobLease(db, BACKFILL_JOB)
    throw new JobError(
      'JOB_ALREADY_RUNNING',
      `Another backfill is running${active ? ` (run ${active.runId}, ${active.holder})` : ''}.`,
      {
        runningRunId: active?.runId,
      },
    )
  }
  const signal = options.signal ? AbortSignal.any([options.signal, lease.signal]) : lease.signal
  const summaries: DayRunSummary[] = []
  try {
    for (let start = 0; start < days.length && !signal.aborted; start += batchDays) {
      if (start > 0) await sleep(options.delayMs ?? 1_000, undefined, { signal }).catch(() => {})
      for (const day of days.slice(start, start + batchDays)) {
        if (signal.aborted) break
        const [summary] = await runDailyAggregation({
          db,
          logger: options.logger,
          metrics: options.metrics,
          runId,
          trigger: 'cli',
          days: [day],
          includeToday: options.includeToday,
          now: options.now,
          signal,
        })
        if (summary) summaries.push(summary)
        options.onProgress?.(summaries.length, days.length)
      }
    }
  } finally {
    await lease.release()
  }
  return {
    runId,
    days: days.length,
    succeeded: summaries.filter((summary) => summary.status === 'succeeded').length,
    skipped: summaries.filter((summary) => summary.status === 'skipped').length,
    failed: summaries.filter((summary) => summary.status === 'failed').map((summary) => summary.day),
    stored: summaries.reduce((sum, summary) => sum + summary.stored, 0),
    unverified: summaries.reduce((sum, summary) => sum + summary.unverified, 0),
    durationMs: performance.now() - startedMs,
  }
}
