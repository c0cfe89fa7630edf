import type { Queryable } from '../database.ts'
import { LATENCY_BUCKET_BOUNDS_MS, LATENCY_BUCKET_COUNT } from './latency-histogram.ts'
import { USAGE_SUM_COLUMNS } from './usage-sum-columns.ts'

/** An hour of one project whose rollup must be rebuilt; `generation` changes whenever it is marked again. */
export interface DirtyHour {
  projectId: string
  hourUtc: string
  generation: string
}

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`
const ISO_US = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

// Hours are cut in UTC whatever the session time zone: date_trunc with an explicit zone.
const HOUR_OF_TIMESTAMP = "date_trunc('hour', timestamp, 'UTC')"

const MARK_SQL = `INSERT INTO rollup_dirty_hours (project_id, hour_utc)
  SELECT project_id, hour_utc FROM unnest($1::uuid[], $2::timestamptz[]) AS t(project_id, hour_utc)
  ON CONFLICT (project_id, hour_utc) DO UPDATE SET generation = rollup_dirty_hours.generation + 1, marked_at = now()`

/**
 * Turns rows ingested after `afterUtc` (all rows when null) into dirty-hour marks, at most about
 * `maxRows` rows per call so a large backlog is taken in slices. Returns the next watermark, or null when
 * nothing was ingested since.
 *
 * `ingested_at` is the inserting transaction's start time, so a row can become visible after rows with a
 * later `ingested_at`. The watermark therefore never passes "now − overlapMs": rows of the last
 * `overlapMs` are scanned again on the next pass, and a transaction shorter than that is never missed.
 * Within one pass, the caller continues from `reachedUtc` (not the held-back watermark), so a pass that
 * meets more than `maxRows` recent rows still ends instead of re-reading them until they age.
 * `watermarkFloorUtc` (the stored watermark) keeps the returned watermark from moving backwards.
 */
export async function markHoursIngestedSince(
  db: Queryable,
  input: { afterUtc: string | null; watermarkFloorUtc?: string | null; maxRows: number; overlapMs: number },
): Promise<{ watermarkUtc: string; reachedUtc: string; hoursMarked: number; complete: boolean } | null> {
  const after = input.afterUtc ?? '-infinity'
  const floor =
    (input.watermarkFloorUtc === undefined ? input.afterUtc : input.watermarkFloorUtc) ?? '-infinity'
  // The ingested_at of the maxRows-th row bounds this slice; rows sharing it are all included.
  const { rows: bound } = await db.query<{
    reached: string | null
    watermark: string | null
    complete: boolean
  }>(
    `WITH slice AS (
       SELECT (SELECT ingested_at FROM llm_calls WHERE ingested_at > $1::timestamptz ORDER BY ingested_at OFFSET $2 LIMIT 1) AS upper,
              (SELECT max(ingested_at) FROM llm_calls WHERE ingested_at > $1::timestamptz) AS newest)
     SELECT COALESCE(upper, newest)::text AS reached, upper IS NULL AS complete,
       ${ISO_US("GREATEST($4::timestamptz, LEAST(COALESCE(upper, newest), clock_timestamp() - $3 * interval '1 millisecond'))")} AS watermark
     FROM slice`,
    [after, input.maxRows, input.overlapMs, floor],
  )
  const reached = bound[0]?.reached ?? null
  const watermark = bound[0]?.watermark ?? null
  if (reached === null || watermark === null) return null
  const { rowCount } = await db.query(
    `INSERT INTO rollup_dirty_hours (project_id, hour_utc)
     SELECT DISTINCT project_id, ${HOUR_OF_TIMESTAMP} FROM llm_calls
     WHERE ingested_at > $1::timestamptz AND ingested_at <= $2::timestamptz
     ON CONFLICT (project_id, hour_utc) DO UPDATE SET generation = rollup_dirty_hours.generation + 1, marked_at = now()`,
    [after, reached],
  )
  return {
    watermarkUtc: watermark,
    reachedUtc: reached,
    hoursMarked: rowCount,
    complete: bound[0]?.complete === true,
  }
}

/** Marks every hour of a project in [fromUtc, toUtc) dirty (recompute and backfill). Returns the count. */
export async function markHoursInRange(
  db: Queryable,
  input: { projectId: string; fromUtc: string; toUtc: string },
): Promise<number> {
  const { rowCount } = await db.query(
    `INSERT INTO rollup_dirty_hours (project_id, hour_utc)
     SELECT $1::uuid, hour FROM generate_series(date_trunc('hour', $2::timestamptz, 'UTC'), $3::timestamptz - interval '1 microsecond', interval '1 hour') AS hour
     ON CONFLICT (project_id, hour_utc) DO UPDATE SET generation = rollup_dirty_hours.generation + 1, marked_at = now()`,
    [input.projectId, input.fromUtc, input.toUtc],
  )
  return rowCount
}

/** Marks the given hours of one project dirty. */
export async function markHours(
  db: Queryable,
  input: { projectId: string; hoursUtc: readonly string[] },
): Promise<void> {
  if (input.hoursUtc.length === 0) return
  await db.query(MARK_SQL, [input.hoursUtc.map(() => input.projectId), input.hoursUtc])
}

/**
 * Drops marks of hours that retention already emptied: their rollups are final and must not be rebuilt from
 * the late rows left behind. Those rows (a call that reached ingest while retention moved the cut, through a
 * cut cache that had not heard of it yet) are deleted with them: kept raw, they would show in `/v1/events`
 * but in no sum, for good. Returns how many marks were dropped.
 */
export async function dropRetiredDirtyHours(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ hours: number }>(
    `WITH dropped AS (
       DELETE FROM rollup_dirty_hours d USING retention_state r
       WHERE d.project_id = r.project_id AND d.hour_utc < r.raw_deleted_before
       RETURNING d.project_id, d.hour_utc, r.raw_deleted_before),
     late AS (
       DELETE FROM llm_calls c USING dropped
       WHERE c.project_id = dropped.project_id AND c.timestamp >= dropped.hour_utc
         AND c.timestamp < LEAST(dropped.hour_utc + interval '1 hour', dropped.raw_deleted_before))
     -- A data-modifying WITH runs to completion whether or not the query reads it.
     SELECT count(*)::int AS hours FROM dropped`,
  )
  return rows[0]?.hours ?? 0
}

/** Up to `limit` dirty hours, newest first so recent data is current soonest. */
export async function listDirtyHours(db: Queryable, input: { limit: number }): Promise<DirtyHour[]> {
  const { rows } = await db.query<DirtyHour>(
    `SELECT project_id AS "projectId", ${ISO('hour_utc')} AS "hourUtc", generation::text AS generation
     FROM rollup_dirty_hours ORDER BY hour_utc DESC, project_id LIMIT $1`,
    [input.limit],
  )
  return rows
}

const SUMS = USAGE_SUM_COLUMNS.map(([, column]) => `COALESCE(sum(c.${column}), 0)`).join(', ')
const TOKEN_COLUMNS = USAGE_SUM_COLUMNS.map(([, column]) => column).join(', ')

/**
 * Rebuilds the rollups of the given hours wholesale from raw rows (delete, then insert), and clears their
 * marks unless they were marked again meanwhile. Idempotent; run it inside a transaction. Returns the
 * number of rollup rows written.
 */
export async function rebuildRollupHours(db: Queryable, hours: readonly DirtyHour[]): Promise<number> {
  if (hours.length === 0) return 0
  const projectIds = hours.map((hour) => hour.projectId)
  const hourStarts = hours.map((hour) => hour.hourUtc)
  await db.query(
    `DELETE FROM llm_call_hourly_rollups r USING unnest($1::uuid[], $2::timestamptz[]) AS t(project_id, hour_utc)
     WHERE r.project_id = t.project_id AND r.hour_utc = t.hour_utc`,
    [projectIds, hourStarts],
  )
  const { rowCount } = await db.query(
    `INSERT INTO llm_call_hourly_rollups (project_id, hour_utc, provider, model, feature, status, requests, errors,
       priced_requests, estimated_requests, unpriced_requests, ${TOKEN_COLUMNS}, cost_usd, latency_count, latency_sum_ms,
       latency_histogram, time_to_first_token_count, time_to_first_token_sum_ms)
     SELECT c.project_id, t.hour_utc, c.provider, c.model, c.feature, c.status, count(*),
       count(*) FILTER (WHERE c.status = 'error'),
       count(*) FILTER (WHERE c.cost_status = 'priced'),
       count(*) FILTER (WHERE c.cost_status = 'estimated'),
       count(*) FILTER (WHERE c.cost_status = 'unpriced'),
       ${SUMS}, COALESCE(sum(c.cost_usd), 0), count(c.latency_ms), COALESCE(sum(c.latency_ms), 0),
       -- Dense bucket counts: the bucket of every call with a latency, counted into a fixed-length array.
       ARRAY(SELECT COALESCE(h.n, 0)::int FROM generate_series(0, $4::int - 1) AS g(i)
             LEFT JOIN (SELECT b, count(*) AS n FROM unnest(array_agg(width_bucket(c.latency_ms, $3::float8[]))
                        FILTER (WHERE c.latency_ms IS NOT NULL)) AS b GROUP BY b) AS h ON h.b = g.i ORDER BY g.i),
       count(c.time_to_first_token_ms), COALESCE(sum(c.time_to_first_token_ms), 0)
     FROM unnest($1::uuid[], $2::timestamptz[]) AS t(project_id, hour_utc)
     -- Each hour must be an index range scan on (project_id, timestamp): a plain join (or a LATERAL the
     -- planner flattens; OFFSET 0 stops that) hash-joins against a scan of the whole table instead.
     CROSS JOIN LATERAL (SELECT * FROM llm_calls WHERE project_id = t.project_id AND timestamp >= t.hour_utc
                         AND timestamp < t.hour_utc + interval '1 hour' OFFSET 0) AS c
     GROUP BY c.project_id, t.hour_utc, c.provider, c.model, c.feature, c.status`,
    [projectIds, hourStarts, LATENCY_BUCKET_BOUNDS_MS, LATENCY_BUCKET_COUNT],
  )
  await db.query(
    `DELETE FROM rollup_dirty_hours d USING unnest($1::uuid[], $2::timestamptz[], $3::bigint[]) AS t(project_id, hour_utc, generation)
     WHERE d.project_id = t.project_id AND d.hour_utc = t.hour_utc AND d.generation = t.generation`,
    [projectIds, hourStarts, hours.map((hour) => hour.generation)],
  )
  return rowCount
}

/** Request count and exact cost of a project's rollups in [fromUtc, toUtc) (cross-checks against raw totals). */
export async function sumRollups(
  db: Queryable,
  input: { projectId: string; fromUtc: string; toUtc: string },
): Promise<{ requests: number; costUsd: string }> {
  const { rows } = await db.query<{ requests: number; costUsd: string }>(
    `SELECT COALESCE(sum(requests), 0)::float8 AS requests, COALESCE(sum(cost_usd), 0)::numeric(38, 12)::text AS "costUsd"
     FROM llm_call_hourly_rollups WHERE project_id = $1 AND hour_utc >= $2 AND hour_utc < $3`,
    [input.projectId, input.fromUtc, input.toUtc],
  )
  return rows[0] ?? { requests: 0, costUsd: '0.000000000000' }
}

/** How many dirty hours of a project lie before `beforeUtc` (retention waits until they are rolled up). */
export async function countDirtyHoursBefore(
  db: Queryable,
  input: { projectId: string; beforeUtc: string },
): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM rollup_dirty_hours WHERE project_id = $1 AND hour_utc < $2',
    [input.projectId, input.beforeUtc],
  )
  return rows[0]?.count ?? 0
}
