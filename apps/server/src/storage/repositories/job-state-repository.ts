import type { Queryable } from '../database.ts'

/** What a job remembers between runs. */
export interface JobState {
  job: string
  watermark: string | null
  lastSuccessAt: string | null
  lastFailureAt: string | null
}

const ISO_US = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

/** The state of `job`; empty when it never ran. */
export async function getJobState(db: Queryable, job: string): Promise<JobState> {
  const { rows } = await db.query<JobState>(
    `SELECT job, ${ISO_US('watermark')} AS watermark, ${ISO_US('last_success_at')} AS "lastSuccessAt",
       ${ISO_US('last_failure_at')} AS "lastFailureAt" FROM job_state WHERE job = $1`,
    [job],
  )
  return rows[0] ?? { job, watermark: null, lastSuccessAt: null, lastFailureAt: null }
}

/** Moves the watermark of `job` (the rollup refresh's ingest position). */
export async function setJobWatermark(
  db: Queryable,
  input: { job: string; watermarkUtc: string },
): Promise<void> {
  await db.query(
    `INSERT INTO job_state (job, watermark, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (job) DO UPDATE SET watermark = EXCLUDED.watermark, updated_at = now()`,
    [input.job, input.watermarkUtc],
  )
}

/** Records a success or failure time of `job`; a success time never moves backwards. */
export async function recordJobOutcome(
  db: Queryable,
  input: { job: string; outcome: 'success' | 'failure'; atUtc: string },
): Promise<void> {
  const column = input.outcome === 'success' ? 'last_success_at' : 'last_failure_at'
  await db.query(
    `INSERT INTO job_state (job, ${column}, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (job) DO UPDATE SET ${column} = GREATEST(job_state.${column}, EXCLUDED.${column}), updated_at = now()`,
    [input.job, input.atUtc],
  )
}
