// `llm_calls.cost_usd` holds 12 whole digits, and so do the hourly rollups and daily aggregates
// that sum it (NUMERIC(24, 12)). One call may use 9 of them, so an hour's sum for one group holds a
// thousand calls at the largest cost before it could overflow.
const MAX_WHOLE_DIGITS = 9

/** The largest cost one call is accepted with. */
export const MAX_STORED_COST_USD = `${'9'.repeat(MAX_WHOLE_DIGITS)}.${'9'.repeat(12)}`

/**
 * True when a cost from `computeCost` (a non-negative 12-place USD string, no leading zeros) is
 * within `MAX_STORED_COST_USD`. Token counts (up to 10^9 per bucket) times an override price (up to
 * 10^9 USD per million tokens) can reach 10^12 USD, which the column refuses with "numeric field
 * overflow", failing the whole commit group.
 */
export function fitsStoredCost(costUsd: string): boolean {
  const point = costUsd.indexOf('.')
  return (point === -1 ? costUsd.length : point) <= MAX_WHOLE_DIGITS
}
