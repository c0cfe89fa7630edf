import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { z } from 'zod'
import type { Logger } from '../logging/logger.ts'
import type { Database } from '../storage/database.ts'
import { listDaysMissingAggregates } from '../storage/repositories/aggregates-repository.ts'
import { findActiveJobLease } from '../storage/repositories/job-leases-repository.ts'
import {
  abandonRunningJobRuns,
  finishJobRun,
  insertJobRun,
  type JobTrigger,
  listFailedDates,
} from '../storage/repositories/job-runs-repository.ts'
import { recordJobOutcome } from '../storage/repositories/job-state-repository.ts'
import { plainIssueMessage } from '../validation/plain-issue-message.ts'
import {
  assertBackfillRange,
  assertDayHasBegun,
  BACKFILL_JOB,
  backfillDays,
  MAX_BACKFILL_CONCURRENCY,
} from './backfill.ts'
import { DAILY_AGGREGATION_JOB, runDailyAggregation } from './daily-aggregation.ts'
import { JobError } from './job-error.ts'
import { acquireJobLease } from './job-lease.ts'
import { JobMetrics } from './job-metrics.ts'
import { RECOMPUTE_JOB, runRecompute } from './recompute.ts'
import { refreshRollupsUnlessRunning } from './refresh-rollups-unless-running.ts'
import { RETENTION_JOB, runRetention } from './retention.ts'
import { ROLLUP_REFRESH_JOB, refreshRollups } from './rollup-refresh.ts'
import {
  addUtcDays,
  FIRST_SUPPORTED_UTC_DAY,
  isUtcDay,
  LAST_SUPPORTED_UTC_DAY,
  listUtcDays,
  utcDayOf,
} from './utc-days.ts'

/** Jobs that can be started by name (schedule, start-up, `POST /v1/jobs/{name}/run`). */
export const JOB_NAMES = [
  DAILY_AGGREGATION_JOB,
  ROLLUP_REFRESH_JOB,
  RETENTION_JOB,
  BACKFILL_JOB,
  RECOMPUTE_JOB,
] as const
export type JobName = (typeof JOB_NAMES)[number]

/** Closed days the scheduled aggregation re-checks: late rows within a week are folded in automatically. */
export const RECENT_DAYS = 7

const day = z
  .string()
  .refine(
    isUtcDay,
    `must be a real date written YYYY-MM-DD, from ${FIRST_SUPPORTED_UTC_DAY} to ${LAST_SUPPORTED_UTC_DAY}`,
  )

const PARAM_SCHEMAS = {
  [DAILY_AGGREGATION_JOB]: z
    .strictObject({
      date: day.optional(),
      from: day.optional(),
      to: day.optional(),
      includeToday: z.boolean().optional(),
      /** recent: the last 7 closed days and failed days (the schedule); missing: days without a verified aggregate. */
      mode: z.enum(['recent', 'missing']).optional(),
    })
    .refine((params) => !(params.date && (params.from || params.to)), {
      message: 'give date, or from and to, not both',
    })
    .refine((params) => Boolean(params.from) === Boolean(params.to), { message: 'from and to go together' })
    .refine((params) => !params.from || !params.to || params.from <= params.to, {
      message: 'from must not be after to',
    }),
  [ROLLUP_REFRESH_JOB]: z.strictObject({}),
  [RETENTION_JOB]: z.strictObject({ dryRun: z.boolean().optional(), projectId: z.uuid().optional() }),
  [BACKFILL_JOB]: z
    .strictObject({
      from: day,
      to: day,
      includeToday: z.boolean().optional(),
      batchDays: z.int().min(1).max(366).optional(),
      delayMs: z.int().min(0).max(600_000).optional(),
      concurrency: z.int().min(1).max(MAX_BACKFILL_CONCURRENCY).optional(),
    })
    .refine((params) => params.from <= params.to, { message: 'from must not be after to' }),
  [RECOMPUTE_JOB]: z
    .strictObject({
      from: day,
      to: day,
      model: z.string().min(1).max(256).optional(),
      projectId: z.uuid().optional(),
      dryRun: z.boolean().optional(),
    })
    .refine((params) => params.from <= params.to, { message: 'from must not be after to' }),
} as const

/** Parameters of a job, as validated by `parseJobParams`. */
export type JobParams = { [Name in JobName]: z.output<(typeof PARAM_SCHEMAS)[Name]> }

/** True for a name in `JOB_NAMES`. */
export function isJobName(name: string): name is JobName {
  return (JOB_NAMES as readonly string[]).includes(name)
}

/** Validates the parameters of a job; a JobError INVALID_JOB_PARAMS lists every problem. */
export function parseJobParams<Name extends JobName>(name: Name, input: unknown): JobParams[Name] {
  const result = PARAM_SCHEMAS[name].safeParse(input ?? {}, { error: plainIssueMessage })
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(body)'} ${issue.message}`,
    )
    throw new JobError('INVALID_JOB_PARAMS', `Invalid parameters for job ${name}: ${problems.join('; ')}.`)
  }
  return result.data as JobParams[Name]
}

/** Options for `createJobService`. */
export interface JobServiceOptions {
  db: Database
  logger: Logger
  metrics?: JobMetrics
  now?: () => number
  /** Lease lifetime without renewal. Default 60,000 ms: a crashed holder blocks a job at most this long. */
  leaseTtlMs?: number
  /** Wait before a failed day's second try; doubles. Default 2,000 ms. */
  retryBaseDelayMs?: number
  /** Called when retention moved a project's cut: ingest must forget the cut it cached (see `runRetention`). */
  onRetentionCutMoved?: (projectId: string) => Promise<void>
}

/** How a started job ended; `result` is the job's own summary (days, hours refreshed, projects cleaned). */
export interface JobOutcome {
  status: 'succeeded' | 'failed'
  result?: unknown
  error?: string
}

/** Callbacks of one run that its parameters cannot carry (they are stored and come over HTTP). */
export interface JobHooks {
  /** A backfill's days done so far, and its days in all. */
  onProgress?: (doneDays: number, totalDays: number) => void
}

/** A job that was started. */
export interface StartedJob {
  runId: string
  /** Settles when the run ends; never rejects (failures are logged and recorded). */
  done: Promise<JobOutcome>
}

/** Starts jobs single-flight, across every process sharing the database. */
export interface JobService {
  readonly metrics: JobMetrics
  /** Starts `name` now, or throws JobError JOB_ALREADY_RUNNING when a run of it holds the lease. */
  start<Name extends JobName>(
    name: Name,
    params: JobParams[Name],
    trigger: JobTrigger,
    hooks?: JobHooks,
  ): Promise<StartedJob>
  /**
   * Asks running jobs to stop between batches and waits for them. `reason` is what their runs record
   * (default: the server is shutting down; a CLI command says it was interrupted).
   */
  stop(reason?: Error): Promise<void>
}

/**
 * Runs the server's jobs: each start takes the job's database lease (so one run per job at a time, even
 * across processes), runs in the background, and logs job_started / job_completed / job_failed.
 * @example
 * const jobs = createJobService({ db, logger })
 * const { runId, done } = await jobs.start('daily-aggregation', { date: '2025-01-01' }, 'cli')
 */
export function createJobService(options: JobServiceOptions): JobService {
  const { db, logger } = options
  const metrics = options.metrics ?? new JobMetrics()
  const now = options.now ?? Date.now
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  const stopping = new AbortController()
  const running = new Set<Promise<JobOutcome>>()

  async function aggregationDays(params: JobParams[typeof DAILY_AGGREGATION_JOB]): Promise<string[]> {
    const today = utcDayOf(now())
    if (params.date) return [params.date]
    if (params.from && params.to) return listUtcDays(params.from, params.to)
    const firstRecent = addUtcDays(today, -RECENT_DAYS)
    const yesterday = addUtcDays(today, -1)
    const failed = (
      await listFailedDates(db, {
        job: DAILY_AGGREGATION_JOB,
        fromDate: addUtcDays(today, -30),
        toDate: yesterday,
        includeInterrupted: true,
      })
    ).map((row) => row.date)
    const days =
      params.mode === 'missing'
        ? [
            ...(await listDaysMissingAggregates(db, { fromDay: firstRecent, toDay: yesterday })),
            ...failed.filter((date) => date >= firstRecent),
          ]
        : [...listUtcDays(firstRecent, yesterday), ...failed]
    return [...new Set(days)].sort()
  }

  interface Run {
    name: JobName
    params: JobParams[JobName]
    runId: string
    trigger: JobTrigger
    signal: AbortSignal
    leaseWaitMs: number
    /** Daily aggregation: the days, decided before the run starts. */
    days: string[]
    hooks: JobHooks
  }

  /** Checks what can be checked before a job starts (so the API answers 400, not 202), and plans its days. */
  async function prepare(name: JobName, params: JobParams[JobName]): Promise<string[]> {
    const nowMs = now()
    if (name === BACKFILL_JOB) {
      const backfill = params as JobParams[typeof BACKFILL_JOB]
      assertBackfillRange({
        fromDay: backfill.from,
        toDay: backfill.to,
        includeToday: backfill.includeToday,
        nowMs,
      })
    }
    if (name === RECOMPUTE_JOB) {
      const recompute = params as JobParams[typeof RECOMPUTE_JOB]
      const today = utcDayOf(nowMs)
      if (recompute.to > today) {
        throw new JobError(
          'INVALID_JOB_PARAMS',
          `${recompute.to} has not begun yet (today is ${today} UTC): a recompute ends at today at the latest.`,
        )
      }
    }
    if (name !== DAILY_AGGREGATION_JOB) return []
    const aggregation = params as JobParams[typeof DAILY_AGGREGATION_JOB]
    const days = await aggregationDays(aggregation)
    const today = utcDayOf(nowMs)
    const open = days.filter((date) => date >= today)
    for (const day of days) assertDayHasBegun(day, today)
    if (open.length > 0 && !aggregation.includeToday) {
      throw new JobError(
        'INVALID_JOB_PARAMS',
        `${open.join(', ')} is not over yet (today is ${today} UTC); aggregate it after midnight UTC, or set includeToday.`,
      )
    }
    return days
  }

  /** What a job other than the daily aggregation reports: counts for `job_runs` and logs, and its own result. */
  interface JobResult {
    processed: number
    stored: number
    skipped: number
    details: Record<string, unknown>
    outcome: unknown
    /** Set when the job ran to its end but part of it failed (days that could not be aggregated). */
    failure?: string
  }

  async function runJob(run: Run): Promise<JobResult> {
    const { name, params, signal, runId, trigger } = run
    if (name === ROLLUP_REFRESH_JOB) {
      const summary = await refreshRollups({ db, logger, metrics, now, signal })
      return {
        processed: summary.hoursMarked,
        stored: summary.hoursRefreshed,
        skipped: summary.retiredMarksDropped,
        details: { rollupRowsWritten: summary.rollupRowsWritten },
        outcome: summary,
      }
    }
    if (name === RETENTION_JOB) {
      const retention = params as JobParams[typeof RETENTION_JOB]
      const dryRun = retention.dryRun === true
      // Raw calls go only once the rollups hold them: a refresh first means a late call, or a CLI with
      // no server to refresh on a schedule, does not postpone the run (a refresh under way elsewhere does
      // the same and is not waited for).
      await refreshRollupsUnlessRunning(service, trigger)
      const reports = await runRetention({
        db,
        logger,
        metrics,
        now,
        dryRun,
        signal,
        projectId: retention.projectId,
        onCutMoved: options.onRetentionCutMoved,
      })
      const deleted = reports.reduce(
        (sum, report) =>
          sum + report.rows.llm_calls + report.rows.observability_events + report.rows.conversations,
        0,
      )
      if (!dryRun)
        await recordJobOutcome(db, { job: name, outcome: 'success', atUtc: new Date(now()).toISOString() })
      return {
        processed: reports.length,
        stored: dryRun ? 0 : deleted,
        skipped: reports.filter((report) => report.postponed).length,
        details: { dryRun, projects: reports },
        outcome: reports,
      }
    }
    if (name === BACKFILL_JOB) {
      const backfill = params as JobParams[typeof BACKFILL_JOB]
      const summary = await backfillDays({
        db,
        logger,
        metrics,
        runId,
        trigger,
        fromDay: backfill.from,
        toDay: backfill.to,
        includeToday: backfill.includeToday,
        batchDays: backfill.batchDays,
        delayMs: backfill.delayMs,
        concurrency: backfill.concurrency,
        onProgress: run.hooks.onProgress,
        retryBaseDelayMs: options.retryBaseDelayMs,
        now,
        signal,
      })
      // A backfill stopped part way (the server shutting down, a lost lease) did not complete: it is recorded
      // as failed with the days it ran, and says how to resume.
      const failures = [
        ...(summary.stoppedBecause === undefined
          ? []
          : [
              `stopped after ${summary.daysRun} of ${summary.days} day(s) (${summary.stoppedBecause}); start the same backfill again to resume: days already current are skipped`,
            ]),
        ...(summary.failed.length > 0 ? [`aggregation failed for ${summary.failed.join(', ')}`] : []),
      ]
      return {
        processed: summary.daysRun,
        stored: summary.stored,
        skipped: summary.skipped,
        details: { ...summary },
        outcome: summary,
        ...(failures.length > 0 ? { failure: failures.join('; ') } : {}),
      }
    }
    const recompute = params as JobParams[typeof RECOMPUTE_JOB]
    const summary = await runRecompute({
      db,
      logger,
      metrics,
      jobs: service,
      runId,
      trigger,
      fromUtc: `${recompute.from}T00:00:00.000Z`,
      toUtc: `${addUtcDays(recompute.to, 1)}T00:00:00.000Z`,
      model: recompute.model,
      projectId: recompute.projectId,
      dryRun: recompute.dryRun,
      now,
      signal,
    })
    const failed = summary.days.filter((summaryDay) => summaryDay.status === 'failed').map((d) => d.day)
    return {
      processed: summary.projects.reduce((sum, project) => sum + project.scanned, 0),
      // A dry run stores nothing, as retention's does; what it would change is in its projects' diffs.
      stored: summary.dryRun ? 0 : summary.projects.reduce((sum, project) => sum + project.changed, 0),
      skipped: summary.days.filter((summaryDay) => summaryDay.status === 'skipped').length,
      details: {
        dryRun: summary.dryRun,
        projects: summary.projects,
        rollupsRefreshed: summary.rollupsRefreshed,
      },
      outcome: summary,
      ...(failed.length > 0 ? { failure: `re-aggregation failed for ${failed.join(', ')}` } : {}),
    }
  }

  async function execute(run: Run): Promise<JobOutcome> {
    const { name, params, runId, trigger, signal } = run
    if (name === DAILY_AGGREGATION_JOB) {
      const summaries = await runDailyAggregation({
        db,
        logger,
        metrics,
        runId,
        trigger,
        days: run.days,
        includeToday: (params as JobParams[typeof DAILY_AGGREGATION_JOB]).includeToday,
        retryBaseDelayMs: options.retryBaseDelayMs,
        now,
        signal,
      })
      const failed = summaries.filter((summary) => summary.status === 'failed').map((summary) => summary.day)
      return failed.length === 0
        ? { status: 'succeeded', result: summaries }
        : { status: 'failed', result: summaries, error: `aggregation failed for ${failed.join(', ')}` }
    }
    // Scheduled refreshes run every few seconds: they are counted and logged, not written to job_runs.
    const quiet = name === ROLLUP_REFRESH_JOB && trigger === 'schedule'
    const rowId = quiet ? undefined : await insertJobRun(db, { runId, job: name, targetDate: null, trigger })
    // The lease is held, so no other run of this job is alive: a row still "running" is a crashed run's.
    if (rowId) await abandonRunningJobRuns(db, { job: name, targetDate: null, exceptId: rowId })
    const fields = { job: name, runId, trigger, lockWaitMs: Math.round(run.leaseWaitMs) }
    if (!quiet) logger.info('job_started', fields)
    const startedMs = performance.now()
    try {
      const result = await runJob(run)
      const durationMs = performance.now() - startedMs
      const status = result.failure === undefined ? 'succeeded' : 'failed'
      if (rowId)
        await finishJobRun(db, {
          id: rowId,
          status,
          attempts: 1,
          error: result.failure ?? null,
          processed: result.processed,
          stored: result.stored,
          skipped: result.skipped,
          lockWaitMs: run.leaseWaitMs,
          details: result.details,
          durationMs,
        })
      metrics.increment('acp_job_runs_total', { job: name, status })
      const ended = {
        ...fields,
        processed: result.processed,
        stored: result.stored,
        skipped: result.skipped,
        durationMs: Math.round(durationMs),
      }
      if (result.failure !== undefined) {
        // A run cut short by shutdown is no fault to page on; its failed days raised their own alerts.
        logger.error('job_failed', { ...ended, error: result.failure, alert: !signal.aborted })
        return { status: 'failed', result: result.outcome, error: result.failure }
      }
      if (quiet) logger.debug('job_completed', ended)
      else logger.info('job_completed', ended)
      return { status: 'succeeded', result: result.outcome }
    } catch (error) {
      const durationMs = performance.now() - startedMs
      if (rowId)
        await finishJobRun(db, {
          id: rowId,
          status: 'failed',
          attempts: 1,
          error: String(error),
          lockWaitMs: run.leaseWaitMs,
          durationMs,
        }).catch(() => {})
      metrics.increment('acp_job_runs_total', { job: name, status: 'failed' })
      await recordJobOutcome(db, {
        job: name,
        outcome: 'failure',
        atUtc: new Date(now()).toISOString(),
      }).catch(() => {})
      logger.error('job_failed', {
        ...fields,
        error: String(error),
        durationMs: Math.round(durationMs),
        alert: !signal.aborted,
      })
      return { status: 'failed', error: String(error) }
    }
  }

  const service: JobService = {
    metrics,
    async start(name, params, trigger, hooks = {}) {
      if (stopping.signal.aborted)
        throw new JobError('JOBS_STOPPED', 'The server is shutting down; no job starts now.')
      const days = await prepare(name, params)
      const runId = randomUUID()
      const startedMs = performance.now()
      const lease = await acquireJobLease({
        db,
        job: name,
        holder,
        runId,
        ttlMs: options.leaseTtlMs ?? 60_000,
      })
      if (!lease) {
        const active = await findActiveJobLease(db, name)
        // The holder renews its lease while it runs: one that stopped without releasing it (killed)
        // keeps the job until the lease expires.
        const expiresInS = active
          ? Math.max(1, Math.ceil((Date.parse(active.expiresAt) - Date.now()) / 1000))
          : 0
        throw new JobError(
          'JOB_ALREADY_RUNNING',
          `Job ${name} is already running${active ? ` (run ${active.runId}, by ${active.holder}, started ${active.acquiredAt}). If that process was killed, its lease expires in ${expiresInS} s; try again then` : ''}.`,
          {
            runningRunId: active?.runId,
          },
        )
      }
      const leaseWaitMs = performance.now() - startedMs
      const signal = AbortSignal.any([stopping.signal, lease.signal])
      const done = (async (): Promise<JobOutcome> => {
        try {
          return await execute({ name, params, runId, trigger, signal, leaseWaitMs, days, hooks })
        } catch (error) {
          logger.error('job_failed', { job: name, runId, trigger, error: String(error), alert: true })
          return { status: 'failed', error: String(error) }
        } finally {
          await lease
            .release()
            .catch((error: unknown) =>
              logger.warn('job_lease_release_failed', { job: name, runId, error: String(error) }),
            )
        }
      })()
      running.add(done)
      void done.finally(() => running.delete(done))
      return { runId, done }
    },
    async stop(reason = new Error('the server is shutting down')) {
      stopping.abort(reason)
      await Promise.all([...running])
    },
  }
  return service
}
