import type { Queryable } from '../database.ts'

/** Who holds a job's lease and until when. */
export interface JobLeaseRecord {
  job: string
  holder: string
  runId: string
  acquiredAt: string
  expiresAt: string
}

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/**
 * Takes the lease of `job` for `ttlMs` when it is free or expired; true when taken. One statement, so two
 * processes racing for it cannot both win. Times come from the database clock, shared by every process.
 */
export async function tryAcquireJobLease(
  db: Queryable,
  input: { job: string; holder: string; runId: string; ttlMs: number },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO job_leases (job, holder, run_id, acquired_at, expires_at)
     VALUES ($1, $2, $3, clock_timestamp(), clock_timestamp() + $4 * interval '1 millisecond')
     ON CONFLICT (job) DO UPDATE SET holder = EXCLUDED.holder, run_id = EXCLUDED.run_id,
       acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at
     WHERE job_leases.expires_at < clock_timestamp()`,
    [input.job, input.holder, input.runId, input.ttlMs],
  )
  return rowCount > 0
}

/** Extends a lease still held by `holder`; false when it was lost (expired and taken over). */
export async function renewJobLease(
  db: Queryable,
  input: { job: string; holder: string; ttlMs: number },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE job_leases SET expires_at = clock_timestamp() + $3 * interval '1 millisecond' WHERE job = $1 AND holder = $2`,
    [input.job, input.holder, input.ttlMs],
  )
  return rowCount > 0
}

/** Gives a lease back, if `holder` still has it. */
export async function releaseJobLease(db: Queryable, input: { job: string; holder: string }): Promise<void> {
  await db.query('DELETE FROM job_leases WHERE job = $1 AND holder = $2', [input.job, input.holder])
}

/** The current, unexpired lease of `job`, if any. */
export async function findActiveJobLease(db: Queryable, job: string): Promise<JobLeaseRecord | undefined> {
  const { rows } = await db.query<JobLeaseRecord>(
    `SELECT job, holder, run_id AS "runId", ${ISO('acquired_at')} AS "acquiredAt", ${ISO('expires_at')} AS "expiresAt"
     FROM job_leases WHERE job = $1 AND expires_at >= clock_timestamp()`,
    [job],
  )
  return rows[0]
}
