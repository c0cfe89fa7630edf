import { subMillisecondMicros } from '@ai-cost-profiler/core'
import type { Database } from '../storage/database.ts'
import { listUnverifiedDays, summarizeUnverifiedDays } from '../storage/repositories/aggregates-repository.ts'
import {
  type AggregateDayStates,
  listAggregateDayStates,
} from '../storage/repositories/analytics-repository.ts'
import { countPendingRollupHours, hasCallsBefore } from '../storage/repositories/data-health-repository.ts'
import { listFailedDates } from '../storage/repositories/job-runs-repository.ts'
import { getJobState } from '../storage/repositories/job-state-repository.ts'
import { DAILY_AGGREGATION_JOB } from './daily-aggregation.ts'
import { ROLLUP_REFRESH_JOB } from './rollup-refresh.ts'
import { utcDayOf } from './utc-days.ts'

/** Without a successful daily aggregation for this long, data that should have been aggregated is stale. */
export const STALE_AFTER_HOURS = 26

/** Whether the aggregated data can be trusted to be current. */
export interface DataFreshness {
  /** `stale`: no successful aggregation for 26 h while raw calls older than 26 h exist. */
  status: 'ok' | 'stale'
  lastAggregationAt: string | null
  lastRollupRefreshAt: string | null
}

/**
 * Judges freshness. A new or idle install is never stale: only raw calls older than 26 h that no aggregation
 * has run after within 26 h make it so, which is exactly when a day should have been aggregated and was not.
 */
export async function readDataFreshness(db: Database, input: { nowMs: number }): Promise<DataFreshness> {
  const aggregation = await getJobState(db, DAILY_AGGREGATION_JOB)
  const rollups = await getJobState(db, ROLLUP_REFRESH_JOB)
  const limitMs = input.nowMs - STALE_AFTER_HOURS * 3_600_000
  const recent = aggregation.lastSuccessAt !== null && Date.parse(aggregation.lastSuccessAt) >= limitMs
  const stale = !recent && (await hasCallsBefore(db, new Date(limitMs).toISOString()))
  return {
    status: stale ? 'stale' : 'ok',
    lastAggregationAt: aggregation.lastSuccessAt,
    lastRollupRefreshAt: rollups.lastSuccessAt,
  }
}

/** Days of the whole installation that need an operator's look (`/ready`, `/metrics`). */
export interface AggregationProblems {
  /** Project-days whose aggregate is unverified. */
  unverifiedProjectDays: number
  /** Their dates, newest first (at most `limit`). */
  unverifiedDays: string[]
  /** Dates whose latest aggregation run failed after every retry, oldest first (at most `limit`). */
  failedDays: string[]
}

/** Unverified and failed days across every project. */
export async function readAggregationProblems(
  db: Database,
  input: { limit: number },
): Promise<AggregationProblems> {
  const unverified = await summarizeUnverifiedDays(db, { limit: input.limit })
  const failed = await listFailedDates(db, { job: DAILY_AGGREGATION_JOB, limit: input.limit })
  return {
    unverifiedProjectDays: unverified.count,
    unverifiedDays: unverified.dates,
    failedDays: failed.map((day) => day.date),
  }
}

/** Freshness plus the days that need an operator's look. */
export interface DataHealth extends DataFreshness {
  staleAfterHours: number
  /** Days of the project whose aggregate did not match its raw rows when last verified. */
  unverifiedDays: Array<{ date: string; rawCostUsd: string; aggregateCostUsd: string }>
  /**
   * Days whose latest aggregation run failed after every retry (installation-wide). `error` names the
   * projects that failed, so it is given only to an admin key (`includeErrors`), `null` otherwise.
   */
  failedDays: Array<{ date: string; attempts: number; error: string | null; failedAt: string }>
  pendingRollupHours: number
}

/** Everything `GET /v1/health/data` reports for one project. */
export async function readDataHealth(
  db: Database,
  input: { nowMs: number; projectId: string; includeErrors: boolean },
): Promise<DataHealth> {
  const freshness = await readDataFreshness(db, input)
  const unverified = await listUnverifiedDays(db, { projectId: input.projectId, limit: 100 })
  const failed = await listFailedDates(db, { job: DAILY_AGGREGATION_JOB, limit: 100 })
  return {
    ...freshness,
    staleAfterHours: STALE_AFTER_HOURS,
    unverifiedDays: unverified.map((day) => ({
      date: day.day,
      rawCostUsd: day.sourceCostUsd,
      aggregateCostUsd: day.aggregateCostUsd,
    })),
    failedDays: failed.map((day) => ({
      date: day.date,
      attempts: day.attempts,
      error: input.includeErrors ? day.error : null,
      failedAt: day.finishedAt,
    })),
    pendingRollupHours: await countPendingRollupHours(db),
  }
}

/** How far the stored sums behind a period's analytics can be trusted (`dataQuality` of the summary). */
export interface RangeDataQuality extends AggregateDayStates {
  /** Installation-wide freshness, as `GET /v1/health/data` reports it. */
  status: DataFreshness['status']
  lastAggregationAt: string | null
  /** Days of the period whose latest aggregation run failed after every retry. */
  failedDays: string[]
}

/**
 * The data quality of a project's period [fromUtc, toUtc): freshness, and its closed UTC days whose daily
 * aggregate is unverified, stale, pending or failed. The summary's numbers stay exact whatever this says
 * (such days are answered from rollups and raw rows); it tells an operator what to repair.
 */
export async function readRangeDataQuality(
  db: Database,
  input: { projectId: string; fromUtc: string; toUtc: string; nowMs: number },
): Promise<RangeDataQuality> {
  const freshness = await readDataFreshness(db, { nowMs: input.nowMs })
  const fromDay = utcDayOf(Date.parse(input.fromUtc))
  // The last day of the period, or yesterday: the current UTC day is not aggregated yet.
  // The day of the range's last microsecond.
  const toDay = utcDayOf(
    Math.min(
      // Microseconds past a millisecond are in the range: that millisecond is its last.
      Date.parse(input.toUtc) - (subMillisecondMicros(input.toUtc) > 0 ? 0 : 1),
      input.nowMs - 86_400_000,
    ),
  )
  const states = await listAggregateDayStates(db, { projectId: input.projectId, fromDay, toDay })
  const failed =
    toDay < fromDay
      ? []
      : await listFailedDates(db, {
          job: DAILY_AGGREGATION_JOB,
          fromDate: fromDay,
          toDate: toDay,
          limit: 1_000,
        })
  return {
    status: freshness.status,
    lastAggregationAt: freshness.lastAggregationAt,
    ...states,
    failedDays: failed.map((day) => day.date),
  }
}
