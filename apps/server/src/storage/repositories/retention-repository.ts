import type { Queryable } from '../database.ts'

/** A project's retention setting and how far retention has already deleted its raw rows. */
export interface ProjectRetention {
  projectId: string
  projectName: string
  retentionDays: number
  /** Raw rows before this were deleted; periods before it are final. Null when retention never deleted. */
  rawDeletedBefore: string | null
}

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`

/** Every project with its retention, oldest project first. */
export async function listProjectRetention(
  db: Queryable,
  input: { projectId?: string } = {},
): Promise<ProjectRetention[]> {
  const { rows } = await db.query<ProjectRetention>(
    `SELECT p.id AS "projectId", p.name AS "projectName", p.retention_days AS "retentionDays",
       ${ISO('r.raw_deleted_before')} AS "rawDeletedBefore"
     FROM projects p LEFT JOIN retention_state r ON r.project_id = p.id
     WHERE $1::uuid IS NULL OR p.id = $1::uuid ORDER BY p.created_at, p.id`,
    [input.projectId ?? null],
  )
  return rows
}

/** A project's retention setting and progress, if the project exists. */
export async function findProjectRetention(
  db: Queryable,
  projectId: string,
): Promise<(ProjectRetention & { lastRunAt: string | null }) | undefined> {
  const { rows } = await db.query<ProjectRetention & { lastRunAt: string | null }>(
    `SELECT p.id AS "projectId", p.name AS "projectName", p.retention_days AS "retentionDays",
       ${ISO('r.raw_deleted_before')} AS "rawDeletedBefore", ${ISO('r.last_run_at')} AS "lastRunAt"
     FROM projects p LEFT JOIN retention_state r ON r.project_id = p.id WHERE p.id = $1`,
    [projectId],
  )
  return rows[0]
}

/**
 * Records that raw rows of a project before `beforeUtc` are being deleted. Written before the first delete,
 * so no rollup or aggregate of that period is rebuilt from a half-deleted remainder; never moves back.
 */
export async function saveRawDeletedBefore(
  db: Queryable,
  input: { projectId: string; beforeUtc: string },
): Promise<void> {
  await db.query(
    `INSERT INTO retention_state (project_id, raw_deleted_before, last_run_at) VALUES ($1, $2, clock_timestamp())
     ON CONFLICT (project_id) DO UPDATE SET raw_deleted_before = GREATEST(retention_state.raw_deleted_before, EXCLUDED.raw_deleted_before),
       last_run_at = EXCLUDED.last_run_at`,
    [input.projectId, input.beforeUtc],
  )
}

/** A UTC day whose raw calls are not all in the stored sums yet, and which sums lack them. */
export interface DayNotInSums {
  /** `YYYY-MM-DD`. */
  day: string
  /** `rollups`: its hourly rollups miss calls (the next refresh adds them); `aggregate`: it has no verified
   * daily aggregate holding all its calls (a backfill builds one). */
  missingFrom: 'rollups' | 'aggregate'
}

/**
 * UTC days before `beforeUtc` whose raw calls are not all in the stored sums, oldest first (at most `limit`):
 * their hourly rollups or their verified daily aggregate count other requests or another exact cost than the
 * raw rows do. Deleting those rows would leave the day short of them for good. Days retention already passed
 * are final and not listed.
 *
 * It compares actual sums rather than trusting the refresh's watermark, so a call stored a moment ago is
 * judged by whether its hour was rebuilt since. Reads every raw call before the cut once, as the deletes that
 * follow do.
 */
export async function listDaysNotInSumsBefore(
  db: Queryable,
  input: { projectId: string; beforeUtc: string; limit: number },
): Promise<DayNotInSums[]> {
  const { rows } = await db.query<DayNotInSums>(
    `WITH retired AS (
       SELECT COALESCE((SELECT raw_deleted_before FROM retention_state WHERE project_id = $1), '-infinity') AS before),
     raw AS (
       SELECT (c.timestamp AT TIME ZONE 'UTC')::date AS day, count(*) AS requests, COALESCE(sum(c.cost_usd), 0) AS cost_usd
       FROM retired, llm_calls c WHERE c.project_id = $1 AND c.timestamp >= retired.before AND c.timestamp < $2
       GROUP BY 1),
     rolled AS (
       SELECT (r.hour_utc AT TIME ZONE 'UTC')::date AS day, sum(r.requests) AS requests, sum(r.cost_usd) AS cost_usd
       FROM retired, llm_call_hourly_rollups r WHERE r.project_id = $1 AND r.hour_utc >= retired.before AND r.hour_utc < $2
       GROUP BY 1),
     compared AS (
       SELECT raw.day,
         (rolled.day IS NULL OR rolled.requests <> raw.requests OR rolled.cost_usd <> raw.cost_usd) AS rollups_short,
         (a.status IS DISTINCT FROM 'verified' OR a.aggregate_requests <> raw.requests
          OR a.aggregate_cost_usd <> raw.cost_usd) AS aggregate_short
       FROM raw LEFT JOIN rolled USING (day) LEFT JOIN daily_aggregate_days a ON a.project_id = $1 AND a.day = raw.day)
     SELECT to_char(day, 'YYYY-MM-DD') AS day, CASE WHEN rollups_short THEN 'rollups' ELSE 'aggregate' END AS "missingFrom"
     FROM compared WHERE rollups_short OR aggregate_short ORDER BY day LIMIT $3`,
    [input.projectId, input.beforeUtc, input.limit],
  )
  return rows
}

/** Raw tables retention deletes from, with the time column that decides age. */
export const RETENTION_TABLES = ['llm_calls', 'observability_events', 'conversations'] as const
export type RetentionTable = (typeof RETENTION_TABLES)[number]

// Identifiers come from this allow-list only. A conversation goes when its last call is older than the cut;
// its observability events go with it (a trigger, migration 0006), and its messages with its calls (a view
// of them). Calls and observability events are taken oldest first along their (project_id, timestamp, id)
// primary keys.
const AGE_COLUMN: Record<RetentionTable, { column: string; key: string; order: string }> = {
  llm_calls: { column: 'timestamp', key: 'project_id, timestamp, id', order: 'ORDER BY timestamp' },
  observability_events: {
    column: 'timestamp',
    key: 'project_id, timestamp, id',
    order: 'ORDER BY timestamp',
  },
  conversations: { column: 'last_seen_at', key: 'project_id, id', order: '' },
}

/** How many rows of `table` a project has before `beforeUtc` (the dry run). */
export async function countRowsBefore(
  db: Queryable,
  input: { table: RetentionTable; projectId: string; beforeUtc: string },
): Promise<number> {
  const { column } = AGE_COLUMN[input.table]
  const { rows } = await db.query<{ count: number }>(
    `SELECT count(*)::float8 AS count FROM ${input.table} WHERE project_id = $1 AND ${column} < $2`,
    [input.projectId, input.beforeUtc],
  )
  return rows[0]?.count ?? 0
}

/**
 * Deletes at most `limit` rows of `table` of a project before `beforeUtc`, oldest first; returns how many.
 * Called in a loop, so each statement holds its locks briefly and ingest is never starved.
 *
 * The age is checked again on the row being deleted: a row that ingest changed while the delete
 * waited for its lock (a conversation seen again) is read anew there, and kept when it is now young.
 */
export async function deleteRowsBefore(
  db: Queryable,
  input: { table: RetentionTable; projectId: string; beforeUtc: string; limit: number },
): Promise<number> {
  const { column, key, order } = AGE_COLUMN[input.table]
  const { rowCount } = await db.query(
    `DELETE FROM ${input.table} WHERE (${key}) IN (
       SELECT ${key} FROM ${input.table} WHERE project_id = $1 AND ${column} < $2 ${order} LIMIT $3)
     AND project_id = $1 AND ${column} < $2`,
    [input.projectId, input.beforeUtc, input.limit],
  )
  return rowCount
}
