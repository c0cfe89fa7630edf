import type { Queryable } from '../database.ts'

/** Totals of one group of calls. Money is a 12-place decimal string; token counts are integers. */
export interface CostTotals {
  costUsd: string
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

/**
 * Sums a project's calls in [fromUtc, toUtc) in one scan, grouped three ways at once (all, by
 * provider, by provider and model). Costs are summed as NUMERIC, so the total is exact.
 */
export async function getCostSummary(
  db: Queryable,
  input: { projectId: string; fromUtc: string; toUtc: string },
): Promise<CostSummary> {
  const { rows } = await db.query<SummaryRow>(
    `SELECT provider, model, GROUPING(provider, model) AS level,
       COALESCE(sum(cost_usd), 0)::numeric(30, 12)::text AS "costUsd",
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
     ORDER BY level DESC, sum(cost_usd) DESC NULLS LAST, provider, model`,
    [input.projectId, input.fromUtc, input.toUtc],
  )
  const totalsOf = ({
    provider: _provider,
    model: _model,
    level: _level,
    ...totals
  }: SummaryRow): CostTotals => totals
  // The empty grouping set always yields one row, even over no calls.
  const grand = rows.find((row) => row.level === 3)!
  return {
    totals: totalsOf(grand),
    byProvider: rows
      .filter((row) => row.level === 1)
      .map((row) => ({ provider: row.provider ?? '', ...totalsOf(row) })),
    byModel: rows
      .filter((row) => row.level === 0)
      .map((row) => ({ provider: row.provider ?? '', model: row.model ?? '', ...totalsOf(row) })),
  }
}
