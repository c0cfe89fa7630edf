import { addDecimals, formatUsd, parseDecimal, ZERO } from '@ai-cost-profiler/core'
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
  /** Raw rows of the day. */
  requests: number
  /** Exact sum of their costs, 12 places. */
  costUsd: string
}

/** The stored verification record of an aggregated project-day. */
export interface DayStatusRecord {
  status: 'verified' | 'unverified'
  sourceFingerprint: string
}

/** A position in a project-day's raw rows, in primary-key order (timestamp, id). */
export interface RawRowCursor {
  /** ISO 8601 UTC with microseconds, so the row can be addressed again exactly. */
  timestamp: string
  id: string
}

/** Options of a chunked walk over a project-day's raw rows. */
export interface DayChunkInput extends ProjectDay {
  /** Rows read per statement. */
  chunkRows: number
}

/**
 * Makes the current transaction see one snapshot of the whole database until it ends. Call it first: the
 * chunks of a day are then read from the same rows, and the verification compares like with like.
 */
export async function useSnapshotIsolation(tx: Queryable): Promise<void> {
  await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ')
}

const ISO_US = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

// Every field an aggregate is built from: a changed value of any of them, a new row or a removed one changes
// the fingerprint. Times enter as epoch numbers so the text does not depend on the session's time zone.
const ROW_HASH = `hashtextextended(concat_ws('|', id, extract(epoch FROM timestamp), provider, model, COALESCE(feature, ''),
  status, cost_status, COALESCE(cost_usd::text, ''), ${USAGE_SUM_COLUMNS.map(([, column]) => column).join(', ')},
  COALESCE(latency_ms::text, '')), 0)::numeric`

// One chunk of a project-day: the next $6 rows after the cursor, along the primary key (project_id, timestamp,
// id), so every chunk costs the same however far into the day the walk is. The first cursor sits before any id.
const CHUNK = (columns: string) => `SELECT ${columns} FROM llm_calls
  WHERE project_id = $1 AND timestamp >= $2 AND timestamp < $3 AND (timestamp, id) > ($4::timestamptz, $5::bigint)
  ORDER BY timestamp, id LIMIT $6`

const LAST_OF_CHUNK = `(SELECT ${ISO_US('timestamp')} FROM chunk ORDER BY timestamp DESC, id DESC LIMIT 1) AS "lastTimestamp",
  (SELECT id::text FROM chunk ORDER BY timestamp DESC, id DESC LIMIT 1) AS "lastId"`

const chunkParams = (input: DayChunkInput, after: RawRowCursor | undefined) => [
  input.projectId,
  input.fromUtc,
  input.toUtc,
  after?.timestamp ?? input.fromUtc,
  after?.id ?? '-9223372036854775808',
  input.chunkRows,
]

interface ChunkEnd {
  rows: number
  lastTimestamp: string | null
  lastId: string | null
}

const nextCursor = (chunk: ChunkEnd): RawRowCursor | undefined =>
  chunk.lastTimestamp !== null && chunk.lastId !== null
    ? { timestamp: chunk.lastTimestamp, id: chunk.lastId }
    : undefined

/**
 * Fingerprints the raw rows of a project-day, reading them `chunkRows` at a time so no statement holds more
 * than one chunk: row count, exact cost sum, an order-independent sum of row hashes and the newest ingest
 * time. Equal fingerprints mean the same rows. Run it in a snapshot (`useSnapshotIsolation`) so the chunks
 * see one state of the day.
 */
export async function readDaySource(db: Queryable, input: DayChunkInput): Promise<DaySource> {
  let requests = 0
  let costUsd = ZERO
  let hashSum = 0n
  let newest = ''
  let after: RawRowCursor | undefined
  for (;;) {
    const { rows } = await db.query<ChunkEnd & { costUsd: string; hashSum: string; newest: string | null }>(
      `WITH chunk AS MATERIALIZED (${CHUNK(`timestamp, id, cost_usd, ingested_at, ${ROW_HASH} AS row_hash`)})
       SELECT count(*)::int AS rows, COALESCE(sum(cost_usd), 0)::numeric(38, 12)::text AS "costUsd",
         COALESCE(sum(row_hash), 0)::text AS "hashSum",
         to_char(max(ingested_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS newest, ${LAST_OF_CHUNK}
       FROM chunk`,
      chunkParams(input, after),
    )
    const chunk = rows[0]
    if (!chunk || chunk.rows === 0) break
    requests += chunk.rows
    costUsd = addDecimals(costUsd, parseDecimal(chunk.costUsd))
    hashSum += BigInt(chunk.hashSum)
    if (chunk.newest !== null && chunk.newest > newest) newest = chunk.newest
    after = nextCursor(chunk)
    if (chunk.rows < input.chunkRows || !after) break
  }
  const cost = formatUsd(costUsd)
  return { fingerprint: `v1:${requests}:${cost}:${hashSum}:${newest}`, requests, costUsd: cost }
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
const TOKEN_ADDS = USAGE_SUM_COLUMNS.map(
  ([, column]) => `${column} = llm_call_daily_aggregates.${column} + EXCLUDED.${column}`,
).join(', ')
const ADDED_COLUMNS = [
  'requests',
  'errors',
  'priced_requests',
  'estimated_requests',
  'unpriced_requests',
  'cost_usd',
  'latency_count',
  'latency_sum_ms',
]
  .map((column) => `${column} = llm_call_daily_aggregates.${column} + EXCLUDED.${column}`)
  .join(', ')

/**
 * Replaces a project-day's aggregates with sums computed in SQL from its raw rows, read `chunkRows` at a
 * time: each chunk is grouped by provider, model and feature and added to the day's rows. Run it in one
 * snapshot transaction, so readers never see a half-built day. Returns the raw rows read.
 */
export async function rebuildDayAggregates(db: Queryable, input: DayChunkInput): Promise<number> {
  await db.query('DELETE FROM llm_call_daily_aggregates WHERE project_id = $1 AND day = $2::date', [
    input.projectId,
    input.day,
  ])
  let read = 0
  let after: RawRowCursor | undefined
  for (;;) {
    const { rows } = await db.query<ChunkEnd>(
      `WITH chunk AS MATERIALIZED (${CHUNK(`timestamp, id, provider, model, feature, status, cost_status, cost_usd, latency_ms, ${TOKEN_COLUMNS}`)}),
       added AS (
         INSERT INTO llm_call_daily_aggregates (project_id, day, provider, model, feature, requests, errors, priced_requests,
           estimated_requests, unpriced_requests, ${TOKEN_COLUMNS}, cost_usd, latency_count, latency_sum_ms)
         SELECT $1, $7::date, provider, model, feature, count(*), count(*) FILTER (WHERE status = 'error'),
           count(*) FILTER (WHERE cost_status = 'priced'), count(*) FILTER (WHERE cost_status = 'estimated'),
           count(*) FILTER (WHERE cost_status = 'unpriced'), ${TOKEN_SUMS}, COALESCE(sum(cost_usd), 0), count(latency_ms),
           COALESCE(sum(latency_ms), 0)
         FROM chunk GROUP BY provider, model, feature
         ON CONFLICT ON CONSTRAINT llm_call_daily_aggregates_key DO UPDATE SET ${ADDED_COLUMNS}, ${TOKEN_ADDS}
         RETURNING 1)
       SELECT (SELECT count(*) FROM chunk)::int AS rows, ${LAST_OF_CHUNK}`,
      [...chunkParams(input, after), input.day],
    )
    const chunk = rows[0]
    if (!chunk || chunk.rows === 0) break
    read += chunk.rows
    after = nextCursor(chunk)
    if (chunk.rows < input.chunkRows || !after) break
  }
  return read
}

/** Request count and exact cost of a project-day's stored aggregates (the other side of the verification). */
export async function sumDayAggregates(
  db: Queryable,
  input: { projectId: string; day: string },
): Promise<{ requests: number; costUsd: string }> {
  const { rows } = await db.query<{ requests: number; costUsd: string }>(
    `SELECT COALESCE(sum(requests), 0)::float8 AS requests, COALESCE(sum(cost_usd), 0)::numeric(38, 12)::text AS "costUsd"
     FROM llm_call_daily_aggregates WHERE project_id = $1 AND day = $2::date`,
    [input.projectId, input.day],
  )
  return rows[0] ?? { requests: 0, costUsd: '0.000000000000' }
}

/**
 * Stores the verification record of a project-day. `computed_at` is the transaction's start, which is no later
 * than its snapshot: a raw row the aggregate missed changes after it, and so does the rollup of that row's hour.
 */
export async function saveDayStatus(
  db: Queryable,
  input: {
    projectId: string
    day: string
    runId: string
    status: 'verified' | 'unverified'
    source: DaySource
    aggregate: { requests: number; costUsd: string }
  },
): Promise<void> {
  await db.query(
    `INSERT INTO daily_aggregate_days (project_id, day, status, source_fingerprint, source_requests, source_cost_usd,
       aggregate_requests, aggregate_cost_usd, run_id, computed_at)
     VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, $9, now())
     ON CONFLICT (project_id, day) DO UPDATE SET status = EXCLUDED.status, source_fingerprint = EXCLUDED.source_fingerprint,
       source_requests = EXCLUDED.source_requests, source_cost_usd = EXCLUDED.source_cost_usd,
       aggregate_requests = EXCLUDED.aggregate_requests, aggregate_cost_usd = EXCLUDED.aggregate_cost_usd,
       run_id = EXCLUDED.run_id, computed_at = EXCLUDED.computed_at`,
    [
      input.projectId,
      input.day,
      input.status,
      input.source.fingerprint,
      input.source.requests,
      input.source.costUsd,
      input.aggregate.requests,
      input.aggregate.costUsd,
      input.runId,
    ],
  )
}

/**
 * Records that a project-day's aggregate was found current in this transaction's snapshot: its rollups rebuilt
 * before then no longer make it look stale (see `saveDayStatus`).
 */
export async function confirmDayStatus(
  db: Queryable,
  input: { projectId: string; day: string },
): Promise<void> {
  await db.query(
    'UPDATE daily_aggregate_days SET computed_at = now() WHERE project_id = $1 AND day = $2::date',
    [input.projectId, input.day],
  )
}

/**
 * Days in [fromDay, toDay] that some project still needs aggregated: it has raw rows that day but no
 * verified aggregate, and retention has not emptied the day (its aggregate is final). Uses one primary-key
 * probe per project and day, never a scan of the day.
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
         AND NOT EXISTS (SELECT 1 FROM daily_aggregate_days a WHERE a.project_id = p.id AND a.day = d.day::date AND a.status = 'verified')
         AND NOT EXISTS (SELECT 1 FROM retention_state r WHERE r.project_id = p.id AND d.day AT TIME ZONE 'UTC' < r.raw_deleted_before))
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

/** Sums a project's daily aggregates over [fromDay, toDay] (the fast path of a closed-period total). */
export async function sumDailyAggregates(
  db: Queryable,
  input: { projectId: string; fromDay: string; toDay: string },
): Promise<{ requests: number; costUsd: string }> {
  const { rows } = await db.query<{ requests: number; costUsd: string }>(
    `SELECT COALESCE(sum(requests), 0)::float8 AS requests, COALESCE(sum(cost_usd), 0)::numeric(38, 12)::text AS "costUsd"
     FROM llm_call_daily_aggregates WHERE project_id = $1 AND day >= $2::date AND day <= $3::date`,
    [input.projectId, input.fromDay, input.toDay],
  )
  return rows[0] ?? { requests: 0, costUsd: '0.000000000000' }
}

/** How many project-days are unverified across the installation, and their distinct dates, newest first. */
export async function summarizeUnverifiedDays(
  db: Queryable,
  input: { limit: number },
): Promise<{ count: number; dates: string[] }> {
  const { rows } = await db.query<{ count: number; dates: string[] | null }>(
    `SELECT (SELECT count(*)::int FROM daily_aggregate_days WHERE status = 'unverified') AS count,
       ARRAY(SELECT DISTINCT to_char(day, 'YYYY-MM-DD') FROM daily_aggregate_days WHERE status = 'unverified'
             ORDER BY 1 DESC LIMIT $1) AS dates`,
    [input.limit],
  )
  return { count: rows[0]?.count ?? 0, dates: rows[0]?.dates ?? [] }
}
