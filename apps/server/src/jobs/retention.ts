import type { Logger } from '../logging/logger.ts'
import type { Database, Queryable } from '../storage/database.ts'
import {
  countRowsBefore,
  type DayNotInSums,
  deleteRowsBefore,
  listDaysNotInSumsBefore,
  listProjectRetention,
  RETENTION_TABLES,
  type RetentionTable,
  saveRawDeletedBefore,
} from '../storage/repositories/retention-repository.ts'
import { countDirtyHoursBefore } from '../storage/repositories/rollups-repository.ts'
import type { JobMetrics } from './job-metrics.ts'
import { utcDayOf } from './utc-days.ts'

/** Name of the retention job. */
export const RETENTION_JOB = 'retention'

/** Options for `runRetention`. */
export interface RetentionOptions {
  db: Database
  logger: Logger
  metrics: JobMetrics
  /** Count what would be deleted; delete nothing. */
  dryRun?: boolean
  /** Only this project (all projects when omitted). */
  projectId?: string
  /** Rows per DELETE statement. Default 10,000. */
  batchSize?: number
  /**
   * Called once a project's cut has moved, before its rows are deleted: the process's ingest must forget the
   * cut it cached (and tell the other processes), or it would go on accepting calls before it.
   */
  onCutMoved?: (projectId: string) => Promise<void>
  now?: () => number
  signal?: AbortSignal
}

/** What retention did (or, in a dry run, would do) to one project. */
export interface RetentionProjectReport {
  projectId: string
  projectName: string
  retentionDays: number
  /** Raw rows before this instant go; it is a UTC midnight at or before now − retentionDays. */
  cutoffUtc: string
  /** Rows deleted (or that would be) per table. */
  rows: Record<RetentionTable, number>
  /** Set when the project was left for the next run, and why. */
  postponed?: string
}

/**
 * Why a project's raw rows before the cut must stay for now, if they must: they are the only record of calls
 * the stored sums do not hold yet: hours marked for a rebuild, days whose rollups or verified aggregate count
 * fewer calls (a late call not yet refreshed, or rolled up after its day was aggregated).
 */
async function findReasonToWait(
  db: Queryable,
  input: { projectId: string; cutoffUtc: string },
): Promise<string | undefined> {
  const pendingHours = await countDirtyHoursBefore(db, {
    projectId: input.projectId,
    beforeUtc: input.cutoffUtc,
  })
  if (pendingHours > 0)
    return `${pendingHours} hour(s) before the cut still wait for their rollup; run retention again once the rollup refresh under way has ended`
  const days = await listDaysNotInSumsBefore(db, { ...input, beforeUtc: input.cutoffUtc, limit: 5 })
  if (days.length === 0) return undefined
  const list = (missingFrom: DayNotInSums['missingFrom']) =>
    days
      .filter((day) => day.missingFrom === missingFrom)
      .map((day) => day.day)
      .join(', ')
  const more = days.length === 5 ? ' and maybe more' : ''
  const notRolledUp = list('rollups')
  if (notRolledUp)
    return `day(s) ${notRolledUp}${more} before the cut hold calls their hourly rollups do not have yet; run retention again after the next rollup refresh`
  return `day(s) ${list('aggregate')}${more} before the cut have no verified aggregate holding all their calls: run \`backfill\` for them`
}

/**
 * Deletes each project's raw calls, observability events and conversations older than its `retention_days`,
 * in bounded batches. Rollups and aggregates stay. The cut is a UTC midnight, so a day's raw rows are either
 * all kept or all gone, and nothing inside the retention window is ever touched. A project whose rows before
 * the cut are still needed (see `findReasonToWait`) is postponed to a later run, and the report says why.
 */
export async function runRetention(options: RetentionOptions): Promise<RetentionProjectReport[]> {
  const { db, logger } = options
  const nowMs = (options.now ?? Date.now)()
  const batchSize = options.batchSize ?? 10_000
  const reports: RetentionProjectReport[] = []
  for (const project of await listProjectRetention(db, { projectId: options.projectId })) {
    options.signal?.throwIfAborted()
    const cutoffUtc = `${utcDayOf(nowMs - project.retentionDays * 86_400_000)}T00:00:00.000Z`
    const report: RetentionProjectReport = {
      projectId: project.projectId,
      projectName: project.projectName,
      retentionDays: project.retentionDays,
      cutoffUtc,
      rows: { llm_calls: 0, observability_events: 0, conversations: 0 },
    }
    reports.push(report)
    if (options.dryRun) {
      const reason = await findReasonToWait(db, { projectId: project.projectId, cutoffUtc })
      if (reason) report.postponed = reason
      for (const table of RETENTION_TABLES) {
        report.rows[table] = await countRowsBefore(db, {
          table,
          projectId: project.projectId,
          beforeUtc: cutoffUtc,
        })
      }
      logger.info('retention_counted', {
        projectId: project.projectId,
        cutoffUtc,
        dryRun: true,
        ...report.rows,
        ...(report.postponed ? { postponed: report.postponed } : {}),
      })
      continue
    }
    // The check and the move of the cut commit together; a call stored after the check is one that ingest
    // accepted against the old cut: it is deleted below, or by the next rollup refresh (dropRetiredDirtyHours).
    const reason = await db.transaction(async (tx) => {
      const found = await findReasonToWait(tx, { projectId: project.projectId, cutoffUtc })
      if (!found) await saveRawDeletedBefore(tx, { projectId: project.projectId, beforeUtc: cutoffUtc })
      return found
    })
    if (reason) {
      report.postponed = reason
      logger.warn('retention_postponed', { projectId: project.projectId, cutoffUtc, reason })
      continue
    }
    await options.onCutMoved?.(project.projectId).catch((error: unknown) => {
      // Other processes then read the new cut when their cache expires (30 s).
      logger.warn('retention_cut_not_announced', {
        projectId: project.projectId,
        cutoffUtc,
        err: error instanceof Error ? error.message : String(error),
      })
    })
    // Calls first: deleting a conversation would otherwise update each of its calls (ON DELETE SET NULL).
    for (const table of RETENTION_TABLES) {
      for (;;) {
        options.signal?.throwIfAborted()
        const deleted = await deleteRowsBefore(db, {
          table,
          projectId: project.projectId,
          beforeUtc: cutoffUtc,
          limit: batchSize,
        })
        report.rows[table] += deleted
        options.metrics.increment('acp_retention_deleted_rows_total', { table }, deleted)
        if (deleted < batchSize) break
      }
    }
    logger.info('retention_deleted', { projectId: project.projectId, cutoffUtc, ...report.rows })
  }
  return reports
}
