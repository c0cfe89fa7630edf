import { subMillisecondMicros } from '@ai-cost-profiler/core'
import type { Queryable } from '../database.ts'
import { getJobState } from './job-state-repository.ts'

/**
 * Totals of a period's calls. Money is a 12-place decimal string summing the priced and estimated calls (the
 * unpriced ones are counted in `unpricedRequests`), null when there were calls and none of them could be
 * priced: their cost is unknown, not $0. Token counts are integers.
 */
export interface CostTotals {
  costUsd: string | null
  requests: number
  errors: number
  inputTokens: number
  outputTokens: number
  cacheReadInputTokens: number
  cacheWriteInputTokens: number
  cacheWrite1hInputTokens: number
  reasoningTokens: number
  unpricedRequests: number
  estimatedRequests: number
}

/**
 * The cost of a period's sums: `costUsd` as summed ($0 over no call), or null when every call was unpriced,
 * so a period of calls nobody could price never reads as $0.
 */
export function knownCostUsd(totals: { costUsd: string; requests: number; unpricedRequests: number }) {
  return totals.requests > 0 && totals.unpricedRequests === totals.requests ? null : totals.costUsd
}

/** Totals for a period with per-provider and per-model breakdowns. */
export interface CostSummary {
  totals: CostTotals
  byProvider: Array<CostTotals & { provider: string }>
  byModel: Array<CostTotals & { provider: string; model: string }>
}

interface SummaryRow extends CostTotals {
  provider: string | null
  model: string | null
  level: number
}

/** The rollup refresh's job name; its watermark tells which raw rows are already in the rollups. */
const ROLLUP_REFRESH_JOB = 'rollup-refresh'
const HOUR_MS = 3_600_000

// A provider's or model's cost is unknown (NULL) when none of its calls had a cost, so it never reads as $0; the
// whole period's is summed here ($0 over no call) and made unknown the same way by `knownCostUsd`.
const COST_USD = (
  column: string,
) => `(CASE WHEN GROUPING(provider, model) = 3 THEN COALESCE(sum(${column}), 0)
  ELSE sum(${column}) END)::numeric(38, 12)::text AS "costUsd"`

// The columns every part of a summary yields, in one order. `cost` is NULL for a part with no priced or
// estimated call, so a group of unpriced calls sorts last, as it does when summed from raw rows.
const PART_COLUMNS = `provider, model, cost, requests, errors, input_tokens, output_tokens, cache_read_input_tokens,
  cache_write_input_tokens, cache_write_1h_input_tokens, reasoning_tokens, unpriced_requests, estimated_requests`
const STORED_PART = (alias: string) => `${alias}.provider, ${alias}.model,
  CASE WHEN ${alias}.priced_requests + ${alias}.estimated_requests > 0 THEN ${alias}.cost_usd END, ${alias}.requests,
  ${alias}.errors, ${alias}.input_tokens, ${alias}.output_tokens, ${alias}.cache_read_input_tokens,
  ${alias}.cache_write_input_tokens, ${alias}.cache_write_1h_input_tokens, ${alias}.reasoning_tokens,
  ${alias}.unpriced_requests, ${alias}.estimated_requests`
const RAW_PART = (alias: string) => `${alias}.provider, ${alias}.model, ${alias}.cost_usd, 1::bigint,
  (${alias}.status = 'error')::int::bigint, ${alias}.input_tokens::bigint, ${alias}.output_tokens::bigint,
  ${alias}.cache_read_input_tokens::bigint, ${alias}.cache_write_input_tokens::bigint,
  ${alias}.cache_write_1h_input_tokens::bigint, ${alias}.reasoning_tokens::bigint,
  (${alias}.cost_status = 'unpriced')::int::bigint, (${alias}.cost_status = 'estimated')::int::bigint`

// Hours of the closed span that the rollups may not reflect yet: marked dirty, or holding a row ingested after
// the refresh's watermark. Hours retention already emptied are final in the rollups and never read raw.
const RAW_HOURS = `retired AS (
    SELECT COALESCE((SELECT raw_deleted_before FROM retention_state WHERE project_id = $1), '-infinity') AS before),
  raw_hours AS (
    SELECT DISTINCT hour FROM (
      SELECT hour_utc AS hour FROM rollup_dirty_hours WHERE project_id = $1 AND hour_utc >= $4 AND hour_utc < $5
      UNION ALL
      SELECT date_trunc('hour', timestamp, 'UTC') FROM llm_calls
      WHERE ingested_at > $6 AND project_id = $1 AND timestamp >= $4 AND timestamp < $5) AS h, retired
    WHERE h.hour >= retired.before)`

// The stretches of the closed span the rollups answer: each UTC day not answered by its aggregate, clipped to
// the span. Days are counted on timestamps without a zone, so the session's time zone cannot bend them.
const ROLLUP_SPANS = `rollup_spans AS (
    SELECT GREATEST(d AT TIME ZONE 'UTC', $4::timestamptz) AS span_from,
      LEAST((d + interval '1 day') AT TIME ZONE 'UTC', $5::timestamptz) AS span_to
    FROM generate_series(($4::timestamptz AT TIME ZONE 'UTC')::date::timestamp, $5::timestamptz AT TIME ZONE 'UTC',
                         interval '1 day') AS d
    WHERE $4::timestamptz < $5::timestamptz AND d AT TIME ZONE 'UTC' < $5::timestamptz
      AND d::date NOT IN (SELECT day FROM aggregate_days))`

// True when the day's rollups and its aggregate (`alias` is a daily_aggregate_days row) sum to the same
// requests and cost.
const AGREES_WITH_ROLLUPS = (alias: string) => `EXISTS (
    SELECT 1 FROM
      (SELECT COALESCE(sum(r.requests), 0) AS requests, COALESCE(sum(r.cost_usd), 0) AS cost
       FROM llm_call_hourly_rollups r WHERE r.project_id = $1 AND r.hour_utc >= ${alias}.day::timestamp AT TIME ZONE 'UTC'
         AND r.hour_utc < (${alias}.day + 1)::timestamp AT TIME ZONE 'UTC') AS rolled,
      (SELECT COALESCE(sum(g.requests), 0) AS requests, COALESCE(sum(g.cost_usd), 0) AS cost
       FROM llm_call_daily_aggregates g WHERE g.project_id = $1 AND g.day = ${alias}.day) AS aggregated
    WHERE rolled.requests = aggregated.requests AND rolled.cost = aggregated.cost)`

// True when a day's aggregate is behind its raw rows: a rollup of the day was rebuilt after the aggregate and
// the day's rollups no longer agree with it, as the daily view checks. A late call or a re-price rolled up
// since changes the sums; a rollup rebuilt from the same rows does not, so that day is not stale; and
// rollups changed without a rebuild are not trusted over the verified aggregate.
const AGGREGATE_BEHIND = (alias: string) => `(EXISTS (
    SELECT 1 FROM llm_call_hourly_rollups r WHERE r.project_id = $1
      AND r.hour_utc >= ${alias}.day::timestamp AT TIME ZONE 'UTC'
      AND r.hour_utc < (${alias}.day + 1)::timestamp AT TIME ZONE 'UTC' AND r.refreshed_at > ${alias}.computed_at)
  AND NOT ${AGREES_WITH_ROLLUPS(alias)})`

// A UTC day answered by its daily aggregate: verified, wholly inside the closed span, with no hour read raw,
// and not behind its raw rows.
const AGGREGATE_DAYS = `aggregate_days AS (
    SELECT d.day FROM daily_aggregate_days d
    WHERE d.project_id = $1 AND d.status = 'verified'
      AND d.day::timestamp AT TIME ZONE 'UTC' >= $4 AND (d.day + 1)::timestamp AT TIME ZONE 'UTC' <= $5
      AND NOT EXISTS (SELECT 1 FROM raw_hours h WHERE (h.hour AT TIME ZONE 'UTC')::date = d.day)
      AND NOT ${AGGREGATE_BEHIND('d')})`

/** How a summary range splits: the closed whole hours that stored sums answer, and the raw rest. */
interface SummarySpan {
  /** First and end (exclusive) of the whole, closed UTC hours answered from aggregates and rollups. */
  closedFromUtc: string
  closedToUtc: string
  /** Rows ingested after this are not in the rollups yet. */
  watermarkUtc: string
}

function splitRange(input: {
  fromUtc: string
  toUtc: string
  nowUtc: string
  watermarkUtc: string | null
}): SummarySpan {
  // The first whole hour at or after `from`, to the microsecond (a `from` a microsecond past an hour
  // leaves that hour to the raw rows).
  const fromMs = Date.parse(input.fromUtc)
  let closedFromMs = Math.ceil(fromMs / HOUR_MS) * HOUR_MS
  if (closedFromMs === fromMs && subMillisecondMicros(input.fromUtc) > 0) closedFromMs += HOUR_MS
  // The hour holding "now" is still open (and rows may be stamped up to the allowed clock skew ahead).
  const closedToMs = Math.min(
    Math.floor(Date.parse(input.toUtc) / HOUR_MS) * HOUR_MS,
    Math.floor(Date.parse(input.nowUtc) / HOUR_MS) * HOUR_MS,
  )
  // Without a watermark the rollups were never built: the whole range is read raw.
  if (input.watermarkUtc === null || closedToMs <= closedFromMs) {
    return { closedFromUtc: input.fromUtc, closedToUtc: input.fromUtc, watermarkUtc: 'infinity' }
  }
  return {
    closedFromUtc: new Date(closedFromMs).toISOString(),
    closedToUtc: new Date(closedToMs).toISOString(),
    watermarkUtc: input.watermarkUtc,
  }
}

/**
 * Sums a project's calls in [fromUtc, toUtc), grouped three ways at once (all, by provider, by provider and
 * model), exactly: costs are summed as NUMERIC. What `GET /v1/analytics/summary` serves. Closed whole UTC hours
 * come from stored sums, never from a raw scan: verified daily aggregates for whole UTC days still current, hourly rollups for the other hours.
 * Raw rows are read only for the partial hours at the ends of the range, the open hour (and later), and
 * hours the rollups do not reflect yet (a late row, a re-price not yet refreshed), so the result always
 * equals the sum over the raw rows. Periods retention emptied are answered from the rollups alone.
 */
export async function getRolledUpCostSummary(
  db: Queryable,
  input: { projectId: string; fromUtc: string; toUtc: string; nowUtc: string },
): Promise<CostSummary> {
  const { watermark } = await getJobState(db, ROLLUP_REFRESH_JOB)
  const span = splitRange({ ...input, watermarkUtc: watermark })
  const { rows } = await db.query<SummaryRow>(
    `WITH ${RAW_HOURS}, ${AGGREGATE_DAYS}, ${ROLLUP_SPANS},
     parts (${PART_COLUMNS}) AS (
       SELECT ${STORED_PART('a')} FROM llm_call_daily_aggregates a JOIN aggregate_days USING (day) WHERE a.project_id = $1
       UNION ALL
       SELECT ${STORED_PART('r')} FROM rollup_spans s
       JOIN llm_call_hourly_rollups r ON r.project_id = $1 AND r.hour_utc >= s.span_from AND r.hour_utc < s.span_to
       WHERE r.hour_utc NOT IN (SELECT hour FROM raw_hours)
       UNION ALL
       SELECT ${RAW_PART('c')} FROM llm_calls c WHERE c.project_id = $1 AND c.timestamp >= $2 AND c.timestamp < $4
       UNION ALL
       SELECT ${RAW_PART('c')} FROM llm_calls c WHERE c.project_id = $1 AND c.timestamp >= $5 AND c.timestamp < $3
       UNION ALL
       SELECT ${RAW_PART('c')} FROM raw_hours h
       JOIN llm_calls c ON c.project_id = $1 AND c.timestamp >= h.hour AND c.timestamp < h.hour + interval '1 hour')
     SELECT provider, model, GROUPING(provider, model) AS level,
       ${COST_USD('cost')},
       COALESCE(sum(requests), 0)::float8 AS requests,
       COALESCE(sum(errors), 0)::float8 AS errors,
       COALESCE(sum(input_tokens), 0)::float8 AS "inputTokens",
       COALESCE(sum(output_tokens), 0)::float8 AS "outputTokens",
       COALESCE(sum(cache_read_input_tokens), 0)::float8 AS "cacheReadInputTokens",
       COALESCE(sum(cache_write_input_tokens), 0)::float8 AS "cacheWriteInputTokens",
       COALESCE(sum(cache_write_1h_input_tokens), 0)::float8 AS "cacheWrite1hInputTokens",
       COALESCE(sum(reasoning_tokens), 0)::float8 AS "reasoningTokens",
       COALESCE(sum(unpriced_requests), 0)::float8 AS "unpricedRequests",
       COALESCE(sum(estimated_requests), 0)::float8 AS "estimatedRequests"
     FROM parts
     GROUP BY GROUPING SETS ((), (provider), (provider, model))
     ORDER BY level DESC, sum(cost) DESC NULLS LAST, provider COLLATE "C", model COLLATE "C"`,
    [input.projectId, input.fromUtc, input.toUtc, span.closedFromUtc, span.closedToUtc, span.watermarkUtc],
  )
  return toCostSummary(rows)
}

/**
 * Sums a project's raw calls in [fromUtc, toUtc) in one scan, grouped the same three ways. The reference the
 * stored sums are checked against (tests, benchmarks); the API serves `getRolledUpCostSummary`.
 */
export async function getCostSummary(
  db: Queryable,
  input: { projectId: string; fromUtc: string; toUtc: string },
): Promise<CostSummary> {
  const { rows } = await db.query<SummaryRow>(
    `SELECT provider, model, GROUPING(provider, model) AS level,
       ${COST_USD('cost_usd')},
       count(*)::float8 AS requests,
       count(*) FILTER (WHERE status = 'error')::float8 AS errors,
       COALESCE(sum(input_tokens), 0)::float8 AS "inputTokens",
       COALESCE(sum(output_tokens), 0)::float8 AS "outputTokens",
       COALESCE(sum(cache_read_input_tokens), 0)::float8 AS "cacheReadInputTokens",
       COALESCE(sum(cache_write_input_tokens), 0)::float8 AS "cacheWriteInputTokens",
       COALESCE(sum(cache_write_1h_input_tokens), 0)::float8 AS "cacheWrite1hInputTokens",
       COALESCE(sum(reasoning_tokens), 0)::float8 AS "reasoningTokens",
       count(*) FILTER (WHERE cost_status = 'unpriced')::float8 AS "unpricedRequests",
       count(*) FILTER (WHERE cost_status = 'estimated')::float8 AS "estimatedRequests"
     FROM llm_calls
     WHERE project_id = $1 AND timestamp >= $2 AND timestamp < $3
     GROUP BY GROUPING SETS ((), (provider), (provider, model))
     ORDER BY level DESC, sum(cost_usd) DESC NULLS LAST, provider COLLATE "C", model COLLATE "C"`,
    [input.projectId, input.fromUtc, input.toUtc],
  )
  return toCostSummary(rows)
}

function toCostSummary(rows: readonly SummaryRow[]): CostSummary {
  const totalsOf = ({
    provider: _provider,
    model: _model,
    level: _level,
    ...totals
  }: SummaryRow): CostTotals => totals
  // The empty grouping set always yields one row, even over no calls, and its cost is never NULL.
  const grand = rows.find((row) => row.level === 3)!
  return {
    totals: { ...totalsOf(grand), costUsd: knownCostUsd({ ...grand, costUsd: grand.costUsd! }) },
    byProvider: rows
      .filter((row) => row.level === 1)
      .map((row) => ({ provider: row.provider ?? '', ...totalsOf(row) })),
    byModel: rows
      .filter((row) => row.level === 0)
      .map((row) => ({ provider: row.provider ?? '', model: row.model ?? '', ...totalsOf(row) })),
  }
}

/** How far the daily aggregates of a project's closed UTC days can be trusted. */
export interface AggregateDayStates {
  /** Days whose aggregate did not sum to its raw rows when it was verified. */
  unverifiedDays: string[]
  /** Days whose verified aggregate is older than their data (a late row, a re-price). */
  staleDays: string[]
  /** Closed days with data but no aggregate yet (retention-emptied days, which never get one, excepted). */
  pendingDays: string[]
}

// The UTC days of [$2, $3] that an hour waiting for the rollup refresh touches: marked dirty, or holding a row
// ingested after the refresh's watermark ($4; NULL before the first refresh). Days retention emptied are final.
// $1 is the project. Defines the CTEs span, retired and unsettled (one column, day).
const UNSETTLED_DAYS = `span AS (
       SELECT $2::date::timestamp AT TIME ZONE 'UTC' AS from_utc, ($3::date + 1)::timestamp AT TIME ZONE 'UTC' AS to_utc),
     retired AS (
       SELECT COALESCE((SELECT raw_deleted_before FROM retention_state WHERE project_id = $1), '-infinity') AS before),
     unsettled AS (
       SELECT DISTINCT (h.hour AT TIME ZONE 'UTC')::date AS day FROM (
         SELECT hour_utc AS hour FROM rollup_dirty_hours, span
         WHERE project_id = $1 AND hour_utc >= span.from_utc AND hour_utc < span.to_utc
         UNION ALL
         SELECT timestamp FROM llm_calls, span
         WHERE $4::timestamptz IS NOT NULL AND ingested_at > $4::timestamptz AND project_id = $1
           AND timestamp >= span.from_utc AND timestamp < span.to_utc) AS h, retired
       WHERE h.hour >= retired.before)`

/**
 * A project's UTC days in [fromDay, toDay] (`YYYY-MM-DD`) that hold calls the rollups do not reflect yet
 * (see `UNSETTLED_DAYS`): their rollups, and any aggregate that agrees with them, are behind the calls.
 */
export async function listUnsettledUtcDays(
  db: Queryable,
  input: { projectId: string; fromDay: string; toDay: string },
): Promise<Set<string>> {
  if (input.toDay < input.fromDay) return new Set()
  const { watermark } = await getJobState(db, ROLLUP_REFRESH_JOB)
  const { rows } = await db.query<{ day: string }>(
    `WITH ${UNSETTLED_DAYS} SELECT to_char(day, 'YYYY-MM-DD') AS day FROM unsettled`,
    [input.projectId, input.fromDay, input.toDay, watermark],
  )
  return new Set(rows.map((row) => row.day))
}

/**
 * Classifies a project's closed UTC days in [fromDay, toDay]. A day is stale when an hour of it waits for the
 * rollup refresh or its aggregate is behind its rows (see `AGGREGATE_BEHIND`); this relies on the refresh
 * (without its watermark, rows never rolled up are not seen here).
 */
export async function listAggregateDayStates(
  db: Queryable,
  input: { projectId: string; fromDay: string; toDay: string },
): Promise<AggregateDayStates> {
  if (input.toDay < input.fromDay) return { unverifiedDays: [], staleDays: [], pendingDays: [] }
  const { watermark } = await getJobState(db, ROLLUP_REFRESH_JOB)
  const { rows } = await db.query<AggregateDayStates>(
    `WITH ${UNSETTLED_DAYS},
     aggregated AS (
       SELECT day, status, computed_at FROM daily_aggregate_days WHERE project_id = $1 AND day BETWEEN $2::date AND $3::date),
     with_data AS (
       SELECT DISTINCT (hour_utc AT TIME ZONE 'UTC')::date AS day FROM llm_call_hourly_rollups, span
       WHERE project_id = $1 AND hour_utc >= span.from_utc AND hour_utc < span.to_utc
       UNION SELECT day FROM unsettled)
     SELECT
       ARRAY(SELECT to_char(day, 'YYYY-MM-DD') FROM aggregated WHERE status = 'unverified' ORDER BY day) AS "unverifiedDays",
       ARRAY(SELECT to_char(a.day, 'YYYY-MM-DD') FROM aggregated a
             WHERE a.status = 'verified' AND (
               EXISTS (SELECT 1 FROM unsettled u WHERE u.day = a.day) OR ${AGGREGATE_BEHIND('a')})
             ORDER BY a.day) AS "staleDays",
       ARRAY(SELECT to_char(w.day, 'YYYY-MM-DD') FROM with_data w, retired
             WHERE NOT EXISTS (SELECT 1 FROM aggregated a WHERE a.day = w.day)
               AND w.day::timestamp AT TIME ZONE 'UTC' >= retired.before
             ORDER BY w.day) AS "pendingDays"`,
    [input.projectId, input.fromDay, input.toDay, watermark],
  )
  return rows[0] ?? { unverifiedDays: [], staleDays: [], pendingDays: [] }
}
