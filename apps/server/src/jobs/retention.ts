import type { Logger } from '../logging/logger.ts'
import type { Database } from '../storage/database.ts'
import {
  countRowsBefore,
  deleteRowsBefore,
  listProjectRetention,
  listUnaggregatedDaysBefore,
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
 * Why a project's raw rows before the cut must stay for now, if they must: they are the only record of hours
 * still waiting for their rollup, and of days without a verified aggregate (deleting them would leave those
 * days without one for good).
 */
async function findReasonToWait(
  db: Database,
  input: { projectId: string; cutoffUtc: string },
): Promise<string | undefined> {
  const pendingHours = await countDirtyHoursBefore(db, {
    projectId: input.projectId,
    beforeUtc: input.cutoffUtc,
  })
  if (pendingHours > 0) return `${pendingHours} hour(s) before the cut still wait for their rollup`
  const days = await listUnaggregatedDaysBefore(db, { ...input, beforeUtc: input.cutoffUtc, limit: 5 })
  if (days.length === 0) return undefined
  return `day(s) ${days.join(', ')}${days.length === 5 ? ' and maybe more' : ''} before the cut have no verified aggregate: run \`backfill\` for them`
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
    const reason = await findReasonToWait(db, { projectId: project.projectId, cutoffUtc })
    if (reason) report.postponed = reason
    if (options.dryRun) {
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
    if (report.postponed) {
      logger.warn('retention_postponed', {
        projectId: project.projectId,
        cutoffUtc,
        reason: report.postponed,
      })
      continue
    }
    await saveRawDeletedBefore(db, { projectId: project.projectId, beforeUtc: cutoffUtc })
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
