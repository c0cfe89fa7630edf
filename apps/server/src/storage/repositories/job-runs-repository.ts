import type { Queryable } from '../database.ts'

/** How a job run was started. */
export type JobTrigger = 'schedule' | 'startup' | 'api' | 'cli'

/** Where a job run ended; `running` until it finishes (a crashed run stays `running`). */
export type JobRunStatus = 'running' | 'succeeded' | 'failed' | 'skipped'

/** One recorded run of a job for one date (or without a date). */
export interface JobRunRecord {
  id: string
  runId: string
  job: string
  targetDate: string | null
  trigger: JobTrigger
  status: JobRunStatus
  attempts: number
  error: string | null
  processed: number
  stored: number
  skipped: number
  lockWaitMs: number | null
  details: Record<string, unknown> | null
  startedAt: string
  finishedAt: string | null
  durationMs: number | null
}

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

const COLUMNS = `id, run_id AS "runId", job, to_char(target_date, 'YYYY-MM-DD') AS "targetDate", trigger, status, attempts,
  error, processed::float8 AS processed, stored::float8 AS stored, skipped::float8 AS skipped, lock_wait_ms AS "lockWaitMs",
  details, ${ISO('started_at')} AS "startedAt", ${ISO('finished_at')} AS "finishedAt", duration_ms AS "durationMs"`

/** Records the start of a run; returns the row id. */
export async function insertJobRun(
  db: Queryable,
  input: { runId: string; job: string; targetDate: string | null; trigger: JobTrigger },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO job_runs (run_id, job, target_date, trigger, status) VALUES ($1, $2, $3::date, $4, 'running') RETURNING id`,
    [input.runId, input.job, input.targetDate, input.trigger],
  )
  return rows[0]!.id
}

/** What a finished run reports. */
export interface JobRunResult {
  status: Exclude<JobRunStatus, 'running'>
  attempts: number
  error?: string | null
  processed?: number
  stored?: number
  skipped?: number
  lockWaitMs?: number | null
  details?: Record<string, unknown> | null
  durationMs: number
}

/** Records how a run ended. */
export async function finishJobRun(db: Queryable, input: { id: string } & JobRunResult): Promise<void> {
  await db.query(
    `UPDATE job_runs SET status = $2, attempts = $3, error = $4, processed = $5, stored = $6, skipped = $7,
       lock_wait_ms = $8, details = $9::jsonb, finished_at = clock_timestamp(), duration_ms = $10
     WHERE id = $1`,
    [
      input.id,
      input.status,
      input.attempts,
      input.error ?? null,
      input.processed ?? 0,
      input.stored ?? 0,
      input.skipped ?? 0,
      input.lockWaitMs === undefined || input.lockWaitMs === null ? null : Math.round(input.lockWaitMs),
      input.details ? JSON.stringify(input.details) : null,
      Math.max(0, Math.round(input.durationMs)),
    ],
  )
}

/**
 * Closes the rows of `job` (for `targetDate`, or without a date) still marked `running`, except `exceptId`: the
 * caller holds the job's lock or lease, so those runs are dead (their process crashed). They become `failed`
 * with an explanation, and are retried like any failed run. Returns how many were closed.
 */
export async function abandonRunningJobRuns(
  db: Queryable,
  input: { job: string; targetDate: string | null; exceptId: string },
): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE job_runs SET status = 'failed', error = 'abandoned: the process running it stopped before it finished',
       finished_at = clock_timestamp()
     WHERE job = $1 AND status = 'running' AND id <> $3
       AND (target_date = $2::date OR ($2::date IS NULL AND target_date IS NULL))`,
    [input.job, input.targetDate, input.exceptId],
  )
  return rowCount
}

/** Every row of one run (a run that covers several dates has one row per date), oldest first. */
export async function listJobRunsByRunId(db: Queryable, runId: string): Promise<JobRunRecord[]> {
  const { rows } = await db.query<JobRunRecord>(
    `SELECT ${COLUMNS} FROM job_runs WHERE run_id = $1 ORDER BY started_at, target_date`,
    [runId],
  )
  return rows
}

/** Recent runs of a job, newest first. */
export async function listRecentJobRuns(
  db: Queryable,
  input: { job: string; limit: number },
): Promise<JobRunRecord[]> {
  const { rows } = await db.query<JobRunRecord>(
    `SELECT ${COLUMNS} FROM job_runs WHERE job = $1 ORDER BY started_at DESC LIMIT $2`,
    [input.job, input.limit],
  )
  return rows
}

/**
 * Dates whose latest finished run of `job` failed (oldest first): they are retried on the next scheduled run
 * and reported by the health endpoints until a later run succeeds. A run cut off by a shutdown or Ctrl-C
 * (`details.interrupted`) did not fail its day: it is passed over, so the day's latest other run decides,
 * unless `includeInterrupted` (the scheduler retries such a day too).
 */
export async function listFailedDates(
  db: Queryable,
  input: { job: string; fromDate?: string; toDate?: string; limit?: number; includeInterrupted?: boolean },
): Promise<Array<{ date: string; attempts: number; error: string | null; finishedAt: string }>> {
  const { rows } = await db.query<{
    date: string
    attempts: number
    error: string | null
    finishedAt: string
  }>(
    `SELECT to_char(target_date, 'YYYY-MM-DD') AS date, attempts, error, ${ISO('finished_at')} AS "finishedAt"
     FROM (
       SELECT DISTINCT ON (target_date) target_date, status, attempts, error, finished_at FROM job_runs
       WHERE job = $1 AND target_date IS NOT NULL AND status IN ('succeeded', 'failed')
         AND ($5::boolean OR details->>'interrupted' IS NULL)
         AND ($2::date IS NULL OR target_date >= $2::date) AND ($3::date IS NULL OR target_date <= $3::date)
       ORDER BY target_date, finished_at DESC
     ) latest
     WHERE status = 'failed' ORDER BY target_date LIMIT $4`,
    [
      input.job,
      input.fromDate ?? null,
      input.toDate ?? null,
      input.limit ?? 1_000,
      input.includeInterrupted === true,
    ],
  )
  return rows
}
