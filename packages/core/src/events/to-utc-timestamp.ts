// UTC, to the microsecond at most.
const PLAIN_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/
// The fraction of the seconds, as many digits as were written.
const SECONDS_FRACTION = /T\d{2}:\d{2}:\d{2}\.(\d+)/i

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
  const micros = (SECONDS_FRACTION.exec(value)?.[1] ?? '').slice(3, 6).padEnd(3, '0')
  return micros === '000' ? iso : `${iso.slice(0, -1)}${micros}Z`
}

/** The microseconds past the millisecond (0-999) an ISO 8601 time writes, which `Date.parse` drops. */
export function subMillisecondMicros(value: string): number {
  return Number((SECONDS_FRACTION.exec(value)?.[1] ?? '').slice(3, 6).padEnd(3, '0'))
}

/**
 * Orders two ISO 8601 times with offsets, already validated, to the microsecond, like a sort
 * comparator. Compared as milliseconds and then the microseconds past them: microseconds since the
 * epoch pass 2^53 after the year 2255.
 */
export function compareUtcTimes(a: string, b: string): number {
  const difference = Date.parse(a) - Date.parse(b)
  return difference !== 0 ? difference : subMillisecondMicros(a) - subMillisecondMicros(b)
}
