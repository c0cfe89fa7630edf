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

/**
 * UTC days before `beforeUtc` on which a project has raw calls but no verified daily aggregate, oldest first
 * (at most `limit`): deleting their raw rows would leave them without one for good. Days retention already
 * passed are final and not listed. One primary-key probe per day from the oldest raw call on.
 */
export async function listUnaggregatedDaysBefore(
  db: Queryable,
  input: { projectId: string; beforeUtc: string; limit: number },
): Promise<string[]> {
  const { rows } = await db.query<{ day: string }>(
    `WITH bounds AS (
       SELECT (min(c.timestamp) AT TIME ZONE 'UTC')::date AS first_day,
         (SELECT raw_deleted_before FROM retention_state WHERE project_id = $1) AS retired_before
       FROM llm_calls c WHERE c.project_id = $1 AND c.timestamp < $2)
     SELECT to_char(d, 'YYYY-MM-DD') AS day
     FROM bounds, generate_series(bounds.first_day::timestamp, ($2::timestamptz AT TIME ZONE 'UTC') - interval '1 day', interval '1 day') AS d
     WHERE (bounds.retired_before IS NULL OR d AT TIME ZONE 'UTC' >= bounds.retired_before)
       AND EXISTS (SELECT 1 FROM llm_calls c WHERE c.project_id = $1
                     AND c.timestamp >= d AT TIME ZONE 'UTC' AND c.timestamp < (d + interval '1 day') AT TIME ZONE 'UTC')
       AND NOT EXISTS (SELECT 1 FROM daily_aggregate_days a WHERE a.project_id = $1 AND a.day = d::date AND a.status = 'verified')
     ORDER BY d LIMIT $3`,
    [input.projectId, input.beforeUtc, input.limit],
  )
  return rows.map((row) => row.day)
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
