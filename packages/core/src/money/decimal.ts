import { CoreError } from '../errors/core-error.ts'

/**
 * An exact decimal: `coefficient × 10^-scale`. Money never touches binary floating point;
 * every cost in the product is built from these and printed with `formatDecimal`.
 */
export interface Decimal {
  readonly coefficient: bigint
  readonly scale: number
}

const DECIMAL_PATTERN = /^(-)?(\d+)(?:\.(\d+))?$/

/** Parses a plain decimal string such as `"0.075"` or `"-12.5"`; exponents and blanks are refused. */
export function parseDecimal(value: string): Decimal {
  const match = DECIMAL_PATTERN.exec(value)
  if (!match) {
    throw new CoreError('INVALID_DECIMAL', `"${value}" is not a plain decimal number such as "0.075"`)
  }
  const [, sign, whole, fraction = ''] = match
  const coefficient = BigInt(`${whole}${fraction}`)
  return { coefficient: sign ? -coefficient : coefficient, scale: fraction.length }
}

/** A decimal equal to the integer `value`. */
export function decimalFromInteger(value: number | bigint): Decimal {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new CoreError('INVALID_DECIMAL', `${value} is not a safe integer`)
  }
  return { coefficient: BigInt(value), scale: 0 }
}

/** The zero decimal. */
export const ZERO: Decimal = { coefficient: 0n, scale: 0 }

// Powers of ten by exponent: BigInt exponentiation on every rescale was a visible share of pricing.
const POWERS_OF_TEN: bigint[] = Array.from({ length: 64 }, (_, exponent) => 10n ** BigInt(exponent))

function powerOfTen(exponent: number): bigint {
  return POWERS_OF_TEN[exponent] ?? 10n ** BigInt(exponent)
}

function rescale(value: Decimal, scale: number): bigint {
  return scale === value.scale ? value.coefficient : value.coefficient * powerOfTen(scale - value.scale)
}

/** `a + b`, exactly. */
export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale)
  return { coefficient: rescale(a, scale) + rescale(b, scale), scale }
}

/** `a × b`, exactly. */
export function multiplyDecimals(a: Decimal, b: Decimal): Decimal {
  return { coefficient: a.coefficient * b.coefficient, scale: a.scale + b.scale }
}

/** `value ÷ 10^digits`, exactly (a shift of the decimal point). */
export function shiftDecimal(value: Decimal, digits: number): Decimal {
  return { coefficient: value.coefficient, scale: value.scale + digits }
}

/** Compares two decimals: negative, zero or positive like a sort comparator. */
export function compareDecimals(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale)
  const difference = rescale(a, scale) - rescale(b, scale)
  return difference === 0n ? 0 : difference < 0n ? -1 : 1
}

/**
 * Rounds to `fractionDigits` places, half away from zero (PostgreSQL NUMERIC's rule, so sums
 * computed in SQL and in TypeScript agree).
 */
export function roundDecimal(value: Decimal, fractionDigits: number): Decimal {
  if (value.scale <= fractionDigits) {
    return { coefficient: rescale(value, fractionDigits), scale: fractionDigits }
  }
  const divisor = powerOfTen(value.scale - fractionDigits)
  const negative = value.coefficient < 0n
  const magnitude = negative ? -value.coefficient : value.coefficient
  let quotient = magnitude / divisor
  if ((magnitude % divisor) * 2n >= divisor) quotient += 1n
  return { coefficient: negative ? -quotient : quotient, scale: fractionDigits }
}

/** Prints a decimal with exactly `fractionDigits` places (rounded as in `roundDecimal`). */
export function formatDecimal(value: Decimal, fractionDigits: number): string {
  const rounded = roundDecimal(value, fractionDigits)
  const negative = rounded.coefficient < 0n
  const digits = (negative ? -rounded.coefficient : rounded.coefficient)
    .toString()
    .padStart(fractionDigits + 1, '0')
  const whole = digits.slice(0, digits.length - fractionDigits)
  const fraction = digits.slice(digits.length - fractionDigits)
  const sign = negative && rounded.coefficient !== 0n ? '-' : ''
  return fractionDigits === 0 ? `${sign}${whole}` : `${sign}${whole}.${fraction}`
}

/** True when the decimal is exactly representable with `fractionDigits` places. */
export function fitsFractionDigits(value: Decimal, fractionDigits: number): boolean {
  return compareDecimals(roundDecimal(value, fractionDigits), value) === 0
}
