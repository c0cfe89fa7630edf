import { CoreError } from '../errors/core-error.ts'

const EXPONENT_FORM = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/

/**
 * The decimal string of a price stored as a JavaScript number, e.g. `0.01875` → `"0.01875"`.
 * `String(n)` prints the shortest digits that read back as the same number, which for a price
 * written as a decimal literal are exactly the digits that were written; only exponent forms such
 * as `1.5e-7` need spelling out. No arithmetic is done on the number.
 */
export function decimalStringFromNumber(value: number): string {
  if (!Number.isFinite(value) || value < 0) {
    throw new CoreError('INVALID_PRICE_ENTRY', `${value} is not a finite, non-negative price`)
  }
  const printed = String(value)
  const match = EXPONENT_FORM.exec(printed)
  if (!match) return printed
  const [, whole = '', fraction = '', exponentText = '0'] = match
  const digits = `${whole}${fraction}`
  const pointAt = whole.length + Number(exponentText)
  if (pointAt <= 0) return `0.${'0'.repeat(-pointAt)}${digits}`
  if (pointAt >= digits.length) return `${digits}${'0'.repeat(pointAt - digits.length)}`
  return `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`
}
