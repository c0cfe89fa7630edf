// UTC, to the microsecond at most.
const PLAIN_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/
// The fraction of the seconds, as many digits as were written.
const SECONDS_FRACTION = /T\d{2}:\d{2}:\d{2}\.(\d+)/i

/** The digits of the seconds' fraction past the millisecond, which `Date.parse` drops ('' for none). */
function digitsPastMillisecond(value: string): string {
  return (SECONDS_FRACTION.exec(value)?.[1] ?? '').slice(3)
}

/**
 * An ISO 8601 time with an offset, already validated, written in UTC to the microsecond: the
 * precision PostgreSQL keeps (a time in UTC to the microsecond or less is returned as it is). Digits
 * past the microsecond are dropped, never rounded (as `Date.parse` drops those past the millisecond),
 * so a time just before midnight stays on its day. Written in UTC, the time no longer carries its
 * offset, which PostgreSQL takes only up to ±15:59.
 */
export function toUtcTimestamp(value: string): string {
  // Nearly every client writes UTC already: PostgreSQL reads such a time exactly as it is.
  if (PLAIN_UTC.test(value)) return value
  const iso = new Date(Date.parse(value)).toISOString()
  const micros = digitsPastMillisecond(value).slice(0, 3).padEnd(3, '0')
  return micros === '000' ? iso : `${iso.slice(0, -1)}${micros}Z`
}

/** The microseconds past the millisecond (0-999) an ISO 8601 time writes, which `Date.parse` drops. */
export function subMillisecondMicros(value: string): number {
  return Number(digitsPastMillisecond(value).slice(0, 3).padEnd(3, '0'))
}

/** True when the time writes a non-zero digit past the microsecond (which the database drops). */
function hasDigitsPastMicrosecond(value: string): boolean {
  return /[1-9]/.test(digitsPastMillisecond(value).slice(3))
}

/**
 * An ISO 8601 time with an offset, already validated, as the bound of a range over times stored to the
 * microsecond: written like `Date.prototype.toISOString` (`2026-11-22T05:00:00.000Z`), with the
 * microseconds past the millisecond when there are any (`2026-11-22T05:00:00.000500Z`), and rounded up
 * to the next microsecond when digits past it are not zeros. A stored time is at or after such a bound,
 * or before it, exactly when it is so against the time as sent (t < 23:59:59.9999999 is t < 24:00:00).
 */
export function toUtcMicrosecondCeiling(value: string): string {
  let ms = Date.parse(value)
  let micros = subMillisecondMicros(value) + (hasDigitsPastMicrosecond(value) ? 1 : 0)
  if (micros === 1000) {
    ms++
    micros = 0
  }
  const iso = new Date(ms).toISOString()
  return micros === 0 ? iso : `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`
}

/**
 * Orders two ISO 8601 times with offsets, already validated, with every digit they write (past the
 * microsecond too), like a sort comparator: the order of the times as sent. Compared as milliseconds,
 * then the digits past them: microseconds since the epoch pass 2^53 after the year 2255.
 */
export function compareIsoTimesExactly(a: string, b: string): number {
  const difference = Date.parse(a) - Date.parse(b)
  if (difference !== 0) return difference
  const fractionA = digitsPastMillisecond(a)
  const fractionB = digitsPastMillisecond(b)
  const width = Math.max(fractionA.length, fractionB.length)
  const paddedA = fractionA.padEnd(width, '0')
  const paddedB = fractionB.padEnd(width, '0')
  return paddedA < paddedB ? -1 : paddedA > paddedB ? 1 : 0
}

/** True when the time writes a non-zero digit past the millisecond (which `Date.parse` drops). */
export function hasDigitsPastMillisecond(value: string): boolean {
  return /[1-9]/.test(digitsPastMillisecond(value))
}
