import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../logging/logger.ts'
import type { Database, DedicatedConnection } from '../storage/database.ts'
import {
  confirmDayStatus,
  findDayStatus,
  type ProjectDay,
  readDaySource,
  rebuildDayAggregates,
  saveDayStatus,
  sumDayAggregates,
  useSnapshotIsolation,
} from '../storage/repositories/aggregates-repository.ts'
import {
  abandonRunningJobRuns,
  finishJobRun,
  insertJobRun,
  type JobTrigger,
} from '../storage/repositories/job-runs-repository.ts'
import { recordJobOutcome } from '../storage/repositories/job-state-repository.ts'
import { listProjectRetention } from '../storage/repositories/retention-repository.ts'
import { markHoursInRange, sumRollups } from '../storage/repositories/rollups-repository.ts'
import { withAdvisoryLock } from './advisory-lock.ts'
import { JobError } from './job-error.ts'
import type { JobMetrics } from './job-metrics.ts'
import { utcDayNumber, utcDayOf, utcDayRange } from './utc-days.ts'

/** Name of the daily aggregation job (runs, leases, locks and logs). */
export const DAILY_AGGREGATION_JOB = 'daily-aggregation'

/** Raw rows read per statement by the aggregation (and so by backfill). */
export const DEFAULT_CHUNK_ROWS = 10_000

/** Options for `runDailyAggregation`. */
export interface DailyAggregationOptions {
  db: Database
  logger: Logger
  metrics: JobMetrics
  /** Groups the `job_runs` rows of this invocation. */
  runId: string
  trigger: JobTrigger
  /** UTC days (`YYYY-MM-DD`) to aggregate, in order. */
  days: readonly string[]
  /** Allows the current UTC day (by hand only: it is still open and will change). */
  includeToday?: boolean
  /** Tries per day, the first included. Default 3. */
  maxAttempts?: number
  /** Wait before the second try; doubles each time. Default 2,000 ms. */
  retryBaseDelayMs?: number
  /** Raw rows read per statement. Default 10,000. */
  chunkRows?: number
  now?: () => number
  /** Stops between days (server shutdown, lost lease). */
  signal?: AbortSignal
}

/** A project whose aggregate of the day failed on every try; the other projects' days were still aggregated. */
export interface ProjectDayFailure {
  projectId: string
  projectName: string
  error: string
}

/** How one day's run ended. */
export interface DayRunSummary {
  day: string
  status: 'succeeded' | 'failed' | 'skipped'
  attempts: number
  /** Project-days looked at. */
  processed: number
  /** Project-days whose aggregate was (re)built. */
  stored: number
  /** Project-days left alone: already current, without rows, or emptied by retention. */
  skipped: number
  unverified: number
  /** Raw rows read to build aggregates (days already current are only fingerprinted). */
  rowsAggregated: number
  rollupHoursMarked: number
  lockWaitMs: number
  durationMs: number
  error?: string
  /** Present when some projects failed: the day is `failed`, and these are why. */
  failedProjects?: ProjectDayFailure[]
}

/** What the tries of one day have done so far; a retry picks up the projects not done yet. */
interface DayProgress {
  processed: number
  stored: number
  skipped: number
  unverified: number
  rowsAggregated: number
  rollupHoursMarked: number
  /** Projects finished with the day (aggregated, current, empty, or final after retention). */
  done: Set<string>
  /** Projects whose latest try failed. */
  failures: Map<string, ProjectDayFailure>
}

interface ProjectDayResult {
  outcome: 'current' | 'empty' | 'verified' | 'unverified'
  rowsAggregated: number
  rollupsAgree: boolean
  source: { requests: number; costUsd: string }
  aggregate?: { requests: number; costUsd: string }
}

/**
 * Aggregates one project-day unless its aggregate is already current. Everything is read in one snapshot, on
 * the connection that holds the day's lock: the fingerprint, the rebuild and the verification see the same
 * rows, so a mismatch means the stored aggregate is wrong, never that a row arrived in between (such a row
 * changes the fingerprint, and the next run picks it up).
 */
async function aggregateProjectDay(
  options: DailyAggregationOptions,
  connection: DedicatedConnection,
  target: ProjectDay,
): Promise<ProjectDayResult> {
  const input = { ...target, chunkRows: options.chunkRows ?? DEFAULT_CHUNK_ROWS }
  return connection.transaction(async (tx): Promise<ProjectDayResult> => {
    await useSnapshotIsolation(tx)
    const source = await readDaySource(tx, input)
    const rollups = await sumRollups(tx, target)
    const rollupsAgree = rollups.requests === source.requests && rollups.costUsd === source.costUsd
    const status = await findDayStatus(tx, target)
    if (status?.status === 'verified' && status.sourceFingerprint === source.fingerprint) {
      await confirmDayStatus(tx, target)
      return { outcome: 'current', rowsAggregated: 0, rollupsAgree, source }
    }
    if (!status && source.requests === 0) return { outcome: 'empty', rowsAggregated: 0, rollupsAgree, source }
    const rowsAggregated = await rebuildDayAggregates(tx, input)
    // Verification: the stored aggregate, read back, must sum to exactly the raw cost and count of the day.
    const aggregate = await sumDayAggregates(tx, target)
    const verified = aggregate.costUsd === source.costUsd && aggregate.requests === source.requests
    await saveDayStatus(tx, {
      projectId: target.projectId,
      day: target.day,
      runId: options.runId,
      status: verified ? 'verified' : 'unverified',
      source,
      aggregate,
    })
    return { outcome: verified ? 'verified' : 'unverified', rowsAggregated, rollupsAgree, source, aggregate }
  })
}

/**
 * Aggregates the day of every project not done yet. Each project-day is its own transaction, so a project
 * that fails (its rows, a trigger, a statement timeout) is recorded as failed and the others go on.
 */
async function aggregateAllProjects(
  options: DailyAggregationOptions,
  connection: DedicatedConnection,
  day: string,
  progress: DayProgress,
): Promise<void> {
  const range = utcDayRange(day)
  const projects = await listProjectRetention(connection)
  // A project deleted since its failure took its day with it.
  for (const projectId of progress.failures.keys()) {
    if (!projects.some((project) => project.projectId === projectId)) progress.failures.delete(projectId)
  }
  for (const project of projects) {
    if (progress.done.has(project.projectId)) continue
    options.signal?.throwIfAborted()
    if (!progress.failures.has(project.projectId)) progress.processed++
    // Retention already deleted this day's raw rows: its aggregate is final, whatever late rows remain.
    if (
      project.rawDeletedBefore !== null &&
      Date.parse(range.fromUtc) < Date.parse(project.rawDeletedBefore)
    ) {
      progress.skipped++
      progress.done.add(project.projectId)
      continue
    }
    const target = { projectId: project.projectId, day, ...range }
    let result: ProjectDayResult
    let rollupHoursMarked = 0
    try {
      result = await aggregateProjectDay(options, connection, target)
      // Rollups should sum to the raw day; when they do not (a refresh not yet run), their hours are queued again.
      if (!result.rollupsAgree) rollupHoursMarked = await markHoursInRange(connection, target)
    } catch (error) {
      if (options.signal?.aborted) throw error
      const failure = {
        projectId: project.projectId,
        projectName: project.projectName,
        error: describeError(error),
      }
      progress.failures.set(project.projectId, failure)
      options.logger.warn('aggregate_project_failed', {
        job: DAILY_AGGREGATION_JOB,
        runId: options.runId,
        date: day,
        ...failure,
      })
      continue
    }
    progress.failures.delete(project.projectId)
    progress.done.add(project.projectId)
    progress.rowsAggregated += result.rowsAggregated
    progress.rollupHoursMarked += rollupHoursMarked
    if (result.outcome === 'current' || result.outcome === 'empty') progress.skipped++
    else progress.stored++
    if (result.outcome === 'unverified') {
      progress.unverified++
      options.metrics.increment('acp_aggregation_unverified_days_total')
      options.logger.warn('aggregate_unverified', {
        job: DAILY_AGGREGATION_JOB,
        runId: options.runId,
        projectId: project.projectId,
        date: day,
        rawCostUsd: result.source.costUsd,
        aggregateCostUsd: result.aggregate?.costUsd,
        rawRequests: result.source.requests,
        aggregateRequests: result.aggregate?.requests,
      })
    }
  }
}

async function runDay(options: DailyAggregationOptions, day: string): Promise<DayRunSummary> {
  const { db, logger, metrics, runId } = options
  const now = options.now ?? Date.now
  const maxAttempts = options.maxAttempts ?? 3
  const baseDelayMs = options.retryBaseDelayMs ?? 2_000
  const startedMs = performance.now()
  const rowId = await insertJobRun(db, {
    runId,
    job: DAILY_AGGREGATION_JOB,
    targetDate: day,
    trigger: options.trigger,
  })
  const fields = { job: DAILY_AGGREGATION_JOB, runId, date: day, trigger: options.trigger }
  logger.info('job_started', fields)

  let attempts = 0
  let lockWaitMs = 0
  const progress: DayProgress = {
    processed: 0,
    stored: 0,
    skipped: 0,
    unverified: 0,
    rowsAggregated: 0,
    rollupHoursMarked: 0,
    done: new Set(),
    failures: new Map(),
  }
  let complete = false
  let lockHeld = false
  let lastError: unknown
  while (attempts < maxAttempts && !complete && !lockHeld) {
    attempts++
    try {
      const outcome = await withAdvisoryLock(
        db,
        { job: DAILY_AGGREGATION_JOB, subKey: utcDayNumber(day) },
        async (connection) => {
          // Holding the day's lock, no other run of it is alive: a row still "running" is a crashed run's.
          await abandonRunningJobRuns(connection, {
            job: DAILY_AGGREGATION_JOB,
            targetDate: day,
            exceptId: rowId,
          })
          await aggregateAllProjects(options, connection, day, progress)
        },
      )
      lockWaitMs += outcome.lockWaitMs
      if (!outcome.acquired) lockHeld = true
      else if (progress.failures.size === 0) complete = true
      else lastError = new Error(describeFailures(progress.failures))
    } catch (error) {
      lastError = error
    }
    if (!complete && !lockHeld) {
      if (options.signal?.aborted) break
      if (attempts < maxAttempts) {
        const delayMs = baseDelayMs * 2 ** (attempts - 1)
        logger.warn('job_attempt_failed', {
          ...fields,
          attempt: attempts,
          retryInMs: delayMs,
          error: String(lastError),
        })
        await sleep(delayMs, undefined, { signal: options.signal }).catch(() => {})
      }
    }
  }

  const durationMs = performance.now() - startedMs
  const failure = complete || lockHeld ? undefined : describeError(lastError)
  // Cut off by a shutdown or Ctrl-C: the run ends failed, but the day did not fail, so it is not listed
  // among failed days (see listFailedDates) nor counted as a failure.
  const interrupted = failure !== undefined && options.signal?.aborted === true
  const failedProjects = [...progress.failures.values()]
  const summary: DayRunSummary = {
    day,
    status: complete ? 'succeeded' : lockHeld ? 'skipped' : 'failed',
    attempts,
    processed: progress.processed,
    stored: progress.stored,
    skipped: progress.skipped,
    unverified: progress.unverified,
    rowsAggregated: progress.rowsAggregated,
    rollupHoursMarked: progress.rollupHoursMarked,
    lockWaitMs,
    durationMs,
    ...(failure === undefined ? {} : { error: failure }),
    ...(failedProjects.length === 0 ? {} : { failedProjects }),
  }
  await finishJobRun(db, {
    id: rowId,
    status: summary.status,
    attempts,
    error: summary.error ?? (lockHeld ? 'another run holds the lock of this date' : null),
    processed: summary.processed,
    stored: summary.stored,
    skipped: summary.skipped,
    lockWaitMs,
    details: {
      unverified: summary.unverified,
      rowsAggregated: summary.rowsAggregated,
      rollupHoursMarked: summary.rollupHoursMarked,
      ...(failedProjects.length === 0 ? {} : { failedProjects }),
      ...(interrupted ? { interrupted: true } : {}),
    },
    durationMs,
  })
  metrics.increment('acp_job_runs_total', { job: DAILY_AGGREGATION_JOB, status: summary.status })
  const logFields = {
    ...fields,
    attempts,
    processed: summary.processed,
    stored: summary.stored,
    skipped: summary.skipped,
    unverified: summary.unverified,
    rowsAggregated: summary.rowsAggregated,
    durationMs: Math.round(durationMs),
    lockWaitMs: Math.round(lockWaitMs),
  }
  if (summary.status === 'succeeded') {
    await recordJobOutcome(db, {
      job: DAILY_AGGREGATION_JOB,
      outcome: 'success',
      atUtc: new Date(now()).toISOString(),
    })
    logger.info('job_completed', logFields)
  } else if (summary.status === 'skipped') {
    logger.info('job_skipped', { ...logFields, reason: 'lock_held' })
  } else if (interrupted) {
    // alert: true marks the lines a log-based alert should page on; a day cut off by shutdown is none.
    logger.error('job_failed', { ...logFields, error: summary.error, alert: false })
  } else {
    metrics.increment('acp_aggregation_failed_days_total')
    await recordJobOutcome(db, {
      job: DAILY_AGGREGATION_JOB,
      outcome: 'failure',
      atUtc: new Date(now()).toISOString(),
    })
    logger.error('job_failed', { ...logFields, error: summary.error, alert: true })
  }
  return summary
}

function describeError(error: unknown): string {
  if (error === undefined) return 'stopped before completion'
  return error instanceof Error ? error.message : String(error)
}

function describeFailures(failures: Map<string, ProjectDayFailure>): string {
  const each = [...failures.values()].map(
    (failure) => `project "${failure.projectName}" (${failure.projectId}): ${failure.error}`,
  )
  return `aggregation failed for ${failures.size} project(s): ${each.join('; ')}`
}

/**
 * Aggregates UTC days one after the other: per project, provider, model and feature, each project-day
 * fingerprinted (skipped when current), rebuilt in one transaction and verified against the raw rows. A day
 * whose lock another run holds is skipped. A project whose day fails does not stop the other projects; the
 * failed projects (or a day failing as a whole) are retried with exponential backoff, then the day is recorded
 * as failed, naming them, and the next days still run.
 * @example
 * await runDailyAggregation({ db, logger, metrics, runId: randomUUID(), trigger: 'cli', days: ['2025-01-01'] })
 */
export async function runDailyAggregation(options: DailyAggregationOptions): Promise<DayRunSummary[]> {
  const today = utcDayOf((options.now ?? Date.now)())
  const open = options.days.filter((day) => day >= today)
  if (open.length > 0 && !options.includeToday) {
    throw new JobError(
      'INVALID_JOB_PARAMS',
      `${open.join(', ')} is not over yet (today is ${today} UTC); aggregate it after midnight UTC, or pass includeToday by hand.`,
    )
  }
  // A run that finds no day to aggregate (the start-up run when no day is missing) has succeeded: the
  // aggregation is working, so data freshness counts from it.
  if (options.days.length === 0) {
    await recordJobOutcome(options.db, {
      job: DAILY_AGGREGATION_JOB,
      outcome: 'success',
      atUtc: new Date((options.now ?? Date.now)()).toISOString(),
    })
    return []
  }
  const summaries: DayRunSummary[] = []
  for (const day of options.days) {
    if (options.signal?.aborted) break
    summaries.push(await runDay(options, day))
  }
  return summaries
}
