import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../logging/logger.ts'
import type { Database } from '../storage/database.ts'
import type { JobTrigger } from '../storage/repositories/job-runs-repository.ts'
import { type DayRunSummary, runDailyAggregation } from './daily-aggregation.ts'
import { JobError } from './job-error.ts'
import type { JobMetrics } from './job-metrics.ts'
import { listUtcDays, utcDayOf } from './utc-days.ts'

/** Name of the backfill job (its lease keeps two backfills from running at once). */
export const BACKFILL_JOB = 'backfill'

/** Most days a backfill aggregates at the same time; each holds one database connection while it runs. */
export const MAX_BACKFILL_CONCURRENCY = 8

/** Options for `backfillDays`. */
export interface BackfillDaysOptions {
  db: Database
  logger: Logger
  metrics: JobMetrics
  /** Groups the `job_runs` rows of the backfill's days. */
  runId: string
  trigger: JobTrigger
  fromDay: string
  toDay: string
  includeToday?: boolean
  /** Days aggregated between two pauses. Default 7. */
  batchDays?: number
  /** Pause between batches, leaving the database to live traffic. Default 1,000 ms. */
  delayMs?: number
  /** Days of a batch aggregated at the same time. Default 1 (one after the other). */
  concurrency?: number
  /** Raw rows read per statement. Default 10,000. */
  chunkRows?: number
  /** Wait before a failed day's second try; doubles. Default 2,000 ms. */
  retryBaseDelayMs?: number
  /** Called after every day with the days done so far and the total. */
  onProgress?: (doneDays: number, totalDays: number) => void
  now?: () => number
  signal?: AbortSignal
}

/** What a backfill did. */
export interface BackfillSummary {
  runId: string
  /** Days in the range asked for. */
  days: number
  /** Days run to an outcome (succeeded, skipped or failed); fewer than `days` when the backfill was stopped. */
  daysRun: number
  /** Why the backfill stopped before its last day (the server shut down, the lease was lost); absent when it ran them all. */
  stoppedBecause?: string
  succeeded: number
  /** Days another run held (the server aggregating the same day): left to it. */
  skipped: number
  failed: string[]
  /** Project-days whose aggregate was (re)built; the rest were already current. */
  stored: number
  unverified: number
  /** Raw rows read to build aggregates. */
  rowsAggregated: number
  durationMs: number
}

/** Refuses a job day after today (UTC): `includeToday` opens a range to the day under way, no further. */
export function assertDayHasBegun(day: string, today: string): void {
  if (day > today) {
    throw new JobError(
      'INVALID_JOB_PARAMS',
      `${day} has not begun yet (today is ${today} UTC): end the range at today at the latest (with includeToday).`,
    )
  }
}

/** Refuses a range that reaches the open day, unless it was asked for by hand. */
export function assertBackfillRange(input: {
  fromDay: string
  toDay: string
  includeToday?: boolean
  nowMs: number
}): void {
  const today = utcDayOf(input.nowMs)
  if (input.fromDay > input.toDay) {
    throw new JobError(
      'INVALID_JOB_PARAMS',
      `The range starts (${input.fromDay}) after it ends (${input.toDay}).`,
    )
  }
  assertDayHasBegun(input.toDay, today)
  if (input.toDay >= today && !input.includeToday) {
    throw new JobError(
      'INVALID_JOB_PARAMS',
      `${input.toDay} is not over yet (today is ${today} UTC): end the range before it, or pass --include-today (includeToday).`,
    )
  }
}

function describeStop(reason: unknown): string {
  if (reason instanceof Error) return reason.message
  return reason === undefined ? 'stopped' : String(reason)
}

/**
 * Aggregates a range of days in batches with a pause between them; inside a batch, `concurrency` days at a
 * time (one by default). Each day is aggregated in SQL, its raw rows read in chunks, so memory stays flat
 * whatever the volume, and each day in flight holds one connection. Resumable: a day whose aggregate is
 * current costs one fingerprint scan and is skipped. Safe beside running servers: every day takes the same
 * advisory lock the scheduled run takes. The caller holds the backfill lease. Stopped by `signal`, it
 * returns what it did, `daysRun` fewer than `days`, and `stoppedBecause`.
 */
export async function backfillDays(options: BackfillDaysOptions): Promise<BackfillSummary> {
  const startedMs = performance.now()
  assertBackfillRange({ ...options, nowMs: (options.now ?? Date.now)() })
  const days = listUtcDays(options.fromDay, options.toDay)
  const batchDays = Math.max(1, options.batchDays ?? 7)
  const concurrency = Math.min(MAX_BACKFILL_CONCURRENCY, Math.max(1, options.concurrency ?? 1))
  const { signal } = options
  const summaries: DayRunSummary[] = []

  const aggregateDay = async (day: string): Promise<void> => {
    const [summary] = await runDailyAggregation({
      db: options.db,
      logger: options.logger,
      metrics: options.metrics,
      runId: options.runId,
      trigger: options.trigger,
      days: [day],
      includeToday: options.includeToday,
      chunkRows: options.chunkRows,
      retryBaseDelayMs: options.retryBaseDelayMs,
      now: options.now,
      signal,
    })
    if (summary) summaries.push(summary)
    options.onProgress?.(summaries.length, days.length)
  }

  for (let start = 0; start < days.length && !signal?.aborted; start += batchDays) {
    if (start > 0) await sleep(options.delayMs ?? 1_000, undefined, { signal }).catch(() => {})
    const batch = days.slice(start, start + batchDays)
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < batch.length && !signal?.aborted) {
        const day = batch[next++]
        if (day !== undefined) await aggregateDay(day)
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker))
  }
  summaries.sort((a, b) => (a.day < b.day ? -1 : 1))
  const stopped = summaries.length < days.length && signal?.aborted === true
  return {
    runId: options.runId,
    days: days.length,
    daysRun: summaries.length,
    ...(stopped ? { stoppedBecause: describeStop(signal?.reason) } : {}),
    succeeded: summaries.filter((summary) => summary.status === 'succeeded').length,
    skipped: summaries.filter((summary) => summary.status === 'skipped').length,
    failed: summaries.filter((summary) => summary.status === 'failed').map((summary) => summary.day),
    stored: summaries.reduce((sum, summary) => sum + summary.stored, 0),
    unverified: summaries.reduce((sum, summary) => sum + summary.unverified, 0),
    rowsAggregated: summaries.reduce((sum, summary) => sum + summary.rowsAggregated, 0),
    durationMs: performance.now() - startedMs,
  }
}
