let cachedSecond = Number.NaN
let cachedPrefix = ''

/**
 * The ISO 8601 UTC form of a whole-millisecond epoch time, as `Date#toISOString()` gives it for years
 * 0–9999. Every call records one timestamp, and formatting a `Date` is one of the dearest steps of
 * building an event, so the part up to the second is kept while consecutive calls share it.
 */
export function formatUtcTimestamp(epochMs: number): string {
  const second = Math.floor(epochMs / 1000)
  if (second !== cachedSecond) {
    cachedSecond = second
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19)
  }
  const millis = epochMs - second * 1000
  return `${cachedPrefix}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`
}
