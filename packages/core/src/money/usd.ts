import { addDecimals, type Decimal, formatDecimal, parseDecimal, ZERO } from './decimal.ts'

/**
 * Fractional digits of every stored or returned USD amount. A 1-token call of a $0.075/M model
 * costs $0.000000075, and batch discounts halve that again, so 12 places keep real costs exact.
 */
export const USD_FRACTION_DIGITS = 12

/** Formats a USD amount the way the API and the database carry it: a 12-place decimal string. */
export function formatUsd(value: Decimal): string {
  return formatDecimal(value, USD_FRACTION_DIGITS)
}

/** Adds USD decimal strings exactly and returns the 12-place total. */
export function sumUsd(values: Iterable<string>): string {
  let total = ZERO
  for (const value of values) total = addDecimals(total, parseDecimal(value))
  return formatUsd(total)
}
