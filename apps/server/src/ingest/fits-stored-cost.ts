// `llm_calls.cost_usd` is NUMERIC(24, 12): 12 whole digits, of which one call may use 9. The hourly
// rollups and daily aggregates store their sums as NUMERIC(38, 12) (migration 0008): 26 whole digits,
// room for 10^17 calls at the largest cost in one sum. The analytics and the daily aggregation's check
// read the sum of a range or of a project's day as NUMERIC(30, 12), 18 whole digits: 10^9 such calls.
const MAX_WHOLE_DIGITS = 9

/** The largest cost one call is accepted with. */
export const MAX_STORED_COST_USD = `${'9'.repeat(MAX_WHOLE_DIGITS)}.${'9'.repeat(12)}`

/**
 * True when a cost from `computeCost` (a non-negative 12-place USD string, no leading zeros) is
 * within `MAX_STORED_COST_USD`. Token counts (up to 10^9 per bucket) times an override price (up to
 * 10^9 USD per million tokens) can reach 10^12 USD, which the column refuses with "numeric field
 * overflow", failing the whole commit group. Ingest refuses such a call; recompute leaves it unpriced.
 */
export function fitsStoredCost(costUsd: string): boolean {
  const point = costUsd.indexOf('.')
  return (point === -1 ? costUsd.length : point) <= MAX_WHOLE_DIGITS
}
