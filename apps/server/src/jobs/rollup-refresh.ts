import type { Logger } from '../logging/logger.ts'
import type { Database } from '../storage/database.ts'
import {
  getJobState,
  recordJobOutcome,
  setJobWatermark,
} from '../storage/repositories/job-state-repository.ts'
import {
  dropRetiredDirtyHours,
  listDirtyHours,
  markHoursIngestedSince,
  rebuildRollupHours,
} from '../storage/repositories/rollups-repository.ts'
import type { JobMetrics } from './job-metrics.ts'

/** Name of the rollup refresh job. */
export const ROLLUP_REFRESH_JOB = 'rollup-refresh'

/** Options for `refreshRollups`. */
export interface RollupRefreshOptions {
  db: Database
  logger: Logger
  metrics: JobMetrics
  /** Project-hours rebuilt per transaction. Default 8: short transactions never hold ingest back for long. */
  hoursPerTransaction?: number
  /** Raw rows turned into dirty marks per slice of the watermark scan. Default 100,000. */
  rowsPerScanSlice?: number
  /** How far the watermark stays behind the clock (see `markHoursIngestedSince`). Default 60,000 ms. */
  overlapMs?: number
  now?: () => number
  signal?: AbortSignal
}

/** What one refresh did. */
export interface RollupRefreshSummary {
  hoursMarked: number
  hoursRefreshed: number
  rollupRowsWritten: number
  retiredMarksDropped: number
  durationMs: number
}

/**
 * Brings the hourly rollups up to date: rows ingested since the watermark mark their hours dirty, then every
 * dirty hour is rebuilt wholesale from raw rows, a few hours per transaction. Nothing runs on the ingest
 * path; callers hold the job's lease so only one refresh runs at a time.
 */
export async function refreshRollups(options: RollupRefreshOptions): Promise<RollupRefreshSummary> {
  const { db, metrics } = options
  const startedMs = performance.now()
  const hoursPerTransaction = options.hoursPerTransaction ?? 8
  const summary = { hoursMarked: 0, hoursRefreshed: 0, rollupRowsWritten: 0, retiredMarksDropped: 0 }

  // Where this pass has read up to; the stored watermark stays up to a minute behind it (see
  // `markHoursIngestedSince`), so continuing from the watermark would re-read recent rows forever.
  let reachedUtc: string | undefined
  for (;;) {
    options.signal?.throwIfAborted()
    const slice = await db.transaction(async (tx) => {
      const { watermark } = await getJobState(tx, ROLLUP_REFRESH_JOB)
      const marked = await markHoursIngestedSince(tx, {
        afterUtc: reachedUtc ?? watermark,
        watermarkFloorUtc: watermark,
        maxRows: options.rowsPerScanSlice ?? 100_000,
        overlapMs: options.overlapMs ?? 60_000,
      })
      if (marked) await setJobWatermark(tx, { job: ROLLUP_REFRESH_JOB, watermarkUtc: marked.watermarkUtc })
      return marked
    })
    summary.hoursMarked += slice?.hoursMarked ?? 0
    if (!slice || slice.complete) break
    reachedUtc = slice.reachedUtc
  }

  summary.retiredMarksDropped = await dropRetiredDirtyHours(db)
  for (;;) {
    options.signal?.throwIfAborted()
    const hours = await listDirtyHours(db, { limit: hoursPerTransaction })
    if (hours.length === 0) break
    summary.rollupRowsWritten += await db.transaction((tx) => rebuildRollupHours(tx, hours))
    summary.hoursRefreshed += hours.length
    metrics.increment('acp_rollup_hours_refreshed_total', {}, hours.length)
  }

  await recordJobOutcome(db, {
    job: ROLLUP_REFRESH_JOB,
    outcome: 'success',
    atUtc: new Date((options.now ?? Date.now)()).toISOString(),
  })
  return { ...summary, durationMs: performance.now() - startedMs }
}
