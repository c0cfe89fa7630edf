const MAX_WHOLE_DIGITS = 12

/** The largest cost one call can be stored with: `llm_calls.cost_usd` is NUMERIC(24, 12). */
export const MAX_STORED_COST_USD = `${'9'.repeat(MAX_WHOLE_DIGITS)}.${'9'.repeat(12)}`

/**
 * True when a cost from `computeCost` (a non-negative 12-place USD string, no leading zeros) fits
 * `llm_calls.cost_usd`. Token counts (up to 10^9 per bucket) times an override price (up to 10^9 USD
 * per million tokens) can reach 10^12 USD, which the column refuses with "numeric field overflow".
 */
export function fitsStoredCost(costUsd: string): boolean {
  const point = costUsd.indexOf('.')
  return (point === -1 ? costUsd.length : point) <= MAX_WHOLE_DIGITS
}
