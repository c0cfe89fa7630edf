import type { ServiceTier } from '@ai-cost-profiler/core'
import type { Queryable } from '../database.ts'
import { USAGE_SUM_COLUMNS, type UsageTotals } from './usage-sum-columns.ts'

/** A stored call with what re-pricing needs: its key, usage and current price. */
export interface CallToReprice extends UsageTotals {
  id: string
  /** ISO 8601 UTC with microseconds: exact, so it can address the row again. */
  timestamp: string
  provider: string
  model: string
  serviceTier: ServiceTier
  /** The client estimated the usage: a known price makes the cost `estimated`. */
  usageEstimated: boolean
  costUsd: string | null
  costStatus: 'priced' | 'estimated' | 'unpriced'
  priceEntryId: string | null
  priceSource: string | null
}

/** A position in (timestamp, id) order. */
export interface RepricingCursor {
  timestamp: string
  id: string
}

/**
 * The next `limit` calls of a project in [fromUtc, toUtc) after `after`, in (timestamp, id) order: a keyset
 * walk along the primary key, so each chunk costs the same however far the walk has gone. The order is
 * qualified: a bare `timestamp` or `id` names the text output columns, and '10000000' sorts before
 * '9999995', so calls sharing a time were skipped or re-priced twice.
 */
export async function listCallsToReprice(
  db: Queryable,
  input: {
    projectId: string
    fromUtc: string
    toUtc: string
    /** Only calls stored under these model ids. */
    models?: readonly string[]
    after?: RepricingCursor
    limit: number
  },
): Promise<CallToReprice[]> {
  const { rows } = await db.query<CallToReprice>(
    `SELECT id::text AS id, to_char(timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS timestamp, provider, model,
       service_tier AS "serviceTier", usage_estimated AS "usageEstimated", cost_usd::text AS "costUsd", cost_status AS "costStatus", price_entry_id AS "priceEntryId",
       price_source AS "priceSource", ${USAGE_SUM_COLUMNS.map(([field, column]) => `${column} AS "${field}"`).join(', ')}
     FROM llm_calls
     WHERE project_id = $1 AND timestamp >= $2 AND timestamp < $3
       AND ($4::timestamptz IS NULL OR (timestamp, id) > ($4::timestamptz, $5::bigint))
       AND ($7::text[] IS NULL OR model = ANY($7::text[]))
     ORDER BY llm_calls.timestamp, llm_calls.id LIMIT $6`,
    [
      input.projectId,
      input.fromUtc,
      input.toUtc,
      input.after?.timestamp ?? null,
      input.after?.id ?? null,
      input.limit,
      input.models ?? null,
    ],
  )
  return rows
}

/** The provider and model ids a project's calls in [fromUtc, toUtc) are stored under. */
export async function listStoredModels(
  db: Queryable,
  input: { projectId: string; fromUtc: string; toUtc: string },
): Promise<Array<{ provider: string; model: string }>> {
  const { rows } = await db.query<{ provider: string; model: string }>(
    `SELECT DISTINCT provider, model FROM llm_calls WHERE project_id = $1 AND timestamp >= $2 AND timestamp < $3`,
    [input.projectId, input.fromUtc, input.toUtc],
  )
  return rows
}

/** A call's new price. */
export interface Repricing {
  timestamp: string
  id: string
  costUsd: string | null
  costStatus: string
  /** JSON text. */
  costBreakdown: string | null
  priceEntryId: string | null
  priceSource: string | null
}

/** Writes new prices of a project's calls in one statement; returns how many rows changed. */
export async function applyRepricing(
  db: Queryable,
  input: { projectId: string; rows: readonly Repricing[] },
): Promise<number> {
  if (input.rows.length === 0) return 0
  const { rowCount } = await db.query(
    `UPDATE llm_calls c SET cost_usd = u.cost_usd, cost_status = u.cost_status, cost_breakdown = u.cost_breakdown,
       price_entry_id = u.price_entry_id, price_source = u.price_source
     FROM unnest($2::timestamptz[], $3::bigint[], $4::numeric[], $5::text[], $6::jsonb[], $7::text[], $8::text[])
       AS u(timestamp, id, cost_usd, cost_status, cost_breakdown, price_entry_id, price_source)
     WHERE c.project_id = $1 AND c.timestamp = u.timestamp AND c.id = u.id`,
    [
      input.projectId,
      input.rows.map((row) => row.timestamp),
      input.rows.map((row) => row.id),
      input.rows.map((row) => row.costUsd),
      input.rows.map((row) => row.costStatus),
      input.rows.map((row) => row.costBreakdown),
      input.rows.map((row) => row.priceEntryId),
      input.rows.map((row) => row.priceSource),
    ],
  )
  return rowCount
}

/** Before/after totals of one provider and model in a recompute. */
export interface RecomputeModelDiff {
  provider: string
  model: string
  /** Calls of this model in the range. */
  requests: number
  /** Calls whose price changed. */
  changed: number
  /** Sum of the calls' known costs before; null when none of them had a price (all unpriced), never $0. */
  costBeforeUsd: string | null
  /** Sum of the known costs after; null when none of the calls has a price. */
  costAfterUsd: string | null
  /** After minus before, of the known costs. */
  deltaUsd: string
  /** Calls that were unpriced and now have a price. */
  newlyPriced: number
}

/** A stored recompute run of one project. */
export interface RecomputeRunRecord {
  id: string
  runId: string
  fromUtc: string
  toUtc: string
  model: string | null
  dryRun: boolean
  status: 'running' | 'succeeded' | 'failed'
  scanned: number
  changed: number
  diff: RecomputeModelDiff[]
  error: string | null
  startedAt: string
  finishedAt: string | null
}

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/** Records the start of a project's recompute; returns its id. */
export async function insertRecomputeRun(
  db: Queryable,
  input: {
    projectId: string
    runId: string
    fromUtc: string
    toUtc: string
    model?: string
    dryRun: boolean
  },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO recompute_runs (project_id, run_id, from_utc, to_utc, model, dry_run, status)
     VALUES ($1, $2, $3, $4, $5, $6, 'running') RETURNING id`,
    [input.projectId, input.runId, input.fromUtc, input.toUtc, input.model ?? null, input.dryRun],
  )
  return rows[0]!.id
}

/** Records how a project's recompute ended, with its diff. */
export async function finishRecomputeRun(
  db: Queryable,
  input: {
    projectId: string
    id: string
    status: 'succeeded' | 'failed'
    scanned: number
    changed: number
    diff: readonly RecomputeModelDiff[]
    error?: string
  },
): Promise<void> {
  await db.query(
    `UPDATE recompute_runs SET status = $3, scanned = $4, changed = $5, diff = $6::jsonb, error = $7, finished_at = clock_timestamp()
     WHERE project_id = $1 AND id = $2`,
    [
      input.projectId,
      input.id,
      input.status,
      input.scanned,
      input.changed,
      JSON.stringify(input.diff),
      input.error ?? null,
    ],
  )
}

/** A project's recompute runs, newest first. */
export async function listRecomputeRuns(
  db: Queryable,
  input: { projectId: string; limit: number },
): Promise<RecomputeRunRecord[]> {
  const { rows } = await db.query<RecomputeRunRecord>(
    `SELECT id, run_id AS "runId", ${ISO('from_utc')} AS "fromUtc", ${ISO('to_utc')} AS "toUtc", model, dry_run AS "dryRun", status,
       scanned::float8 AS scanned, changed::float8 AS changed, diff, error, ${ISO('started_at')} AS "startedAt",
       ${ISO('finished_at')} AS "finishedAt"
     FROM recompute_runs WHERE project_id = $1 ORDER BY started_at DESC LIMIT $2`,
    [input.projectId, input.limit],
  )
  return rows
}
