import type { Queryable } from '../database.ts'
import { USAGE_SUM_COLUMNS } from './usage-sum-columns.ts'

/** A project's UTC day as a half-open time range. */
export interface ProjectDay {
  projectId: string
  /** `YYYY-MM-DD`, a UTC day. */
  day: string
  fromUtc: string
  toUtc: string
}

/** What the raw rows of a project-day look like now: enough to tell whether its aggregate is current. */
export interface DaySource {
  fingerprint: string
  requests: number
  costUsd: string
}

/** The stored verification record of an aggregated project-day. */
export interface DayStatusRecord {
  status: 'verified' | 'unverified'
  sourceFingerprint: string
}

// Every field an aggregate is built from: a changed value of any of them, a new row or a removed one changes
// the fingerprint. Times enter as epoch numbers so the text does not depend on the session's time zone.
const ROW_HASH = `hashtextextended(concat_ws('|', id, extract(epoch FROM timestamp), provider, model, COALESCE(feature, ''),
  status, cost_status, COALESCE(cost_usd::text, ''), ${USAGE_SUM_COLUMNS.map(([, column]) => column).join(', ')},
  COALESCE(latency_ms::text, '')), 0)::numeric`

/**
 * Fingerprints the raw rows of a project-day in one scan with constant memory: row count, exact cost sum, an
 * order-independent sum of row hashes and the newest ingest time. Equal fingerprints mean the same rows.
 */
export async function readDaySource(db: Queryable, input: ProjectDay): Promise<DaySource> {
  const { rows } = await db.query<{ requests: string; costUsd: string; hashSum: string; newest: string }>(
    `SELECT count(*)::text AS requests, COALESCE(sum(cost_usd), 0)::numeric(30, 12)::text AS "costUsd",
       COALESCE(sum(${ROW_HASH}), 0)::text AS "hashSum",
       COALESCE(to_char(max(ingested_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '') AS newest
     FROM llm_calls WHERE project_id = $1 AND timestamp >= $2 AND timestamp < $3`,
    [input.projectId, input.fromUtc, input.toUtc],
  )
  const row = rows[0] ?? { requests: '0', costUsd: '0.000000000000', hashSum: '0', newest: '' }
  return {
    fingerprint: `v1:${row.requests}:${row.costUsd}:${row.hashSum}:${row.newest}`,
    requests: Number(row.requests),
    costUsd: row.costUsd,
  }
}

/** The verification record of a project-day, if it was ever aggregated. */
export async function findDayStatus(
  db: Queryable,
  input: { projectId: string; day: string },
): Promise<DayStatusRecord | undefined> {
  const { rows } = await db.query<DayStatusRecord>(
    `SELECT status, source_fingerprint AS "sourceFingerprint" FROM daily_aggregate_days WHERE project_id = $1 AND day = $2::date`,
    [input.projectId, input.day],
  )
  return rows[0]
}

const TOKEN_COLUMNS = USAGE_SUM_COLUMNS.map(([, column]) => column).join(', ')
const TOKEN_SUMS = USAGE_SUM_COLUMNS.map(([, column]) => `COALESCE(sum(${column}), 0)`).join(', ')

/** Replaces a project-day's aggregates with sums computed in SQL from its raw rows; returns the rows written. */
export async function replaceDayAggregates(db: Queryable, input: ProjectDay): Promise<number> {
  await db.query('DELETE FROM llm_call_daily_aggregates WHERE project_id = $1 AND day = $2::date', [
    input.projectId,
    input.day,
  ])
  const { rowCount } = await db.query(
    `INSERT INTO llm_call_daily_aggregates (project_id, day, provider, model, feature, requests, errors, priced_requests,
       estimated_requests, unpriced_requests, ${TOKEN_COLUMNS}, cost_usd, latency_count, latency_sum_ms)
     SELECT project_id, $4::date, provider, model, feature, count(*), count(*) FILTER (WHERE status = 'error'),
       count(*) FILTER (WHERE cost_status = 'priced'), count(*) FILTER (WHERE cost_status = 'estimated'),
       count(*) FILTER (WHERE cost_status = 'unpriced'), ${TOKEN_SUMS}, COALESCE(sum(cost_usd), 0), count(latency_ms),
       COALESCE(sum(latency_ms), 0)
     FROM llm_calls WHERE project_id = $1 AND timestamp >= $2 AND timestamp < $3
     GROUP BY project_id, provider, model, feature`,
    [input.projectId, input.fromUtc, input.toUtc, input.day],
  )
  return rowCount
}

/** Raw and aggregated totals of a project-day, each read afresh (the verification step). */
export interface DayTotals {
  rawRequests: number
  rawCostUsd: string
  aggregateRequests: number
  aggregateCostUsd: string
}

/** Reads the raw and the aggregated request count and exact cost of a project-day. */
export async function readDayTotals(db: Queryable, input: ProjectDay): Promise<DayTotals> {
  const { rows } = await db.query<DayTotals>(
    `SELECT raw.requests AS "rawRequests", raw.cost AS "rawCostUsd", agg.requests AS "aggregateRequests", agg.cost AS "aggregateCostUsd"
     FROM (SELECT count(*)::float8 AS requests, COALESCE(sum(cost_usd), 0)::numeric(30, 12)::text AS cost
           FROM llm_calls WHERE project_id = $1 AND timestamp >= $2 AND timestamp < $3) AS raw,
          (SELECT COALESCE(sum(requests), 0)::float8 AS requests, COALESCE(sum(cost_usd), 0)::numeric(30, 12)::text AS cost
           FROM llm_call_daily_aggregates WHERE project_id = $1 AND day = $4::date) AS agg`,
    [input.projectId, input.fromUtc, input.toUtc, input.day],
  )
  return rows[0]!
}

/** Stores the verification record of a project-day. */
export async function saveDayStatus(
  db: Queryable,
  input: {
    projectId: string
    day: string
    runId: string
    status: 'verified' | 'unverified'
    source: DaySource
    totals: DayTotals
  },
): Promise<void> {
  await db.query(
    `INSERT INTO daily_aggregate_days (project_id, day, status, source_fingerprint, source_requests, source_cost_usd,
       aggregate_requests, aggregate_cost_usd, run_id, computed_at)
     VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, $9, clock_timestamp())
     ON CONFLICT (project_id, day) DO UPDATE SET status = EXCLUDED.status, source_fingerprint = EXCLUDED.source_fingerprint,
       source_requests = EXCLUDED.source_requests, source_cost_usd = EXCLUDED.source_cost_usd,
       aggregate_requests = EXCLUDED.aggregate_requests, aggregate_cost_usd = EXCLUDED.aggregate_cost_usd,
       run_id = EXCLUDED.run_id, computed_at = EXCLUDED.computed_at`,
    [
      input.projectId,
      input.day,
      input.status,
      input.source.fingerprint,
      input.totals.rawRequests,
      input.totals.rawCostUsd,
      input.totals.aggregateRequests,
      input.totals.aggregateCostUsd,
      input.runId,
    ],
  )
}

/**
 * Days in [fromDay, toDay] that some project still needs aggregated: it has raw rows that day but no
 * verified aggregate. Uses one primary-key probe per project and day, never a scan of the day.
 */
export async function listDaysMissingAggregates(
  db: Queryable,
  input: { fromDay: string; toDay: string },
): Promise<string[]> {
  const { rows } = await db.query<{ day: string }>(
    `SELECT to_char(d.day, 'YYYY-MM-DD') AS day
     FROM generate_series($1::date::timestamp, $2::date::timestamp, interval '1 day') AS d(day)
     WHERE EXISTS (
       SELECT 1 FROM projects p
       WHERE EXISTS (SELECT 1 FROM llm_calls c WHERE c.project_id = p.id
                       AND c.timestamp >= d.day AT TIME ZONE 'UTC'
                       AND c.timestamp < (d.day + interval '1 day') AT TIME ZONE 'UTC')
         AND NOT EXISTS (SELECT 1 FROM daily_aggregate_days a WHERE a.project_id = p.id AND a.day = d.day::date AND a.status = 'verified'))
     ORDER BY d.day`,
    [input.fromDay, input.toDay],
  )
  return rows.map((row) => row.day)
}

/** Unverified project-days, oldest first (optionally of one project). */
export async function listUnverifiedDays(
  db: Queryable,
  input: { projectId?: string; limit?: number },
): Promise<Array<{ projectId: string; day: string; sourceCostUsd: string; aggregateCostUsd: string }>> {
  const { rows } = await db.query<{
    projectId: string
    day: string
    sourceCostUsd: string
    aggregateCostUsd: string
  }>(
    `SELECT project_id AS "projectId", to_char(day, 'YYYY-MM-DD') AS day, source_cost_usd::text AS "sourceCostUsd",
       aggregate_cost_usd::text AS "aggregateCostUsd"
     FROM daily_aggregate_days WHERE status = 'unverified' AND ($1::uuid IS NULL OR project_id = $1::uuid)
     ORDER BY day LIMIT $2`,
    [input.projectId ?? null, input.limit ?? 1_000],
  )
  return rows
}

/** Totals of one UTC day from its daily aggregates, with the day's verification state. */
export interface AggregatedDay {
  day: string
  status: 'verified' | 'unverified'
  requests: number
  costUsd: string
}

/** The aggregated totals of a project's UTC days in [fromDay, toDay]. */
export async function listAggregatedDays(
  db: Queryable,
  input: { projectId: string; fromDay: string; toDay: string },
): Promise<AggregatedDay[]> {
  const { rows } = await db.query<AggregatedDay>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, status, aggregate_requests::float8 AS requests,
       aggregate_cost_usd::numeric(30, 12)::text AS "costUsd"
     FROM daily_aggregate_days WHERE project_id = $1 AND day >= $2::date AND day <= $3::date ORDER BY day`,
    [input.projectId, input.fromDay, input.toDay],
  )
  return rows
}

/** Sums a project's daily aggregates over [fromDay, toDay] (the fast path of a closed-period total). */
export async function sumDailyAggregates(
  db: Queryable,
  input: { projectId: string; fromDay: string; toDay: string },
): Promise<{ requests: number; costUsd: string }> {
  const { rows } = await db.query<{ requests: number; costUsd: string }>(
    `SELECT COALESCE(sum(requests), 0)::float8 AS requests, COALESCE(sum(cost_usd), 0)::numeric(30, 12)::text AS "costUsd"
     FROM llm_call_daily_aggregates WHERE project_id = $1 AND day >= $2::date AND day <= $3::date`,
    [input.projectId, input.fromDay, input.toDay],
  )
  return rows[0] ?? { requests: 0, costUsd: '0.000000000000' }
}
