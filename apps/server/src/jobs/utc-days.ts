import { EARLIEST_EVENT_TIMESTAMP_MS } from '@ai-cost-profiler/core'

const DAY_MS = 86_400_000
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/

/** The first UTC day the server handles: ingest refuses calls stamped before it (core's oldest timestamp). */
export const FIRST_SUPPORTED_UTC_DAY = new Date(EARLIEST_EVENT_TIMESTAMP_MS).toISOString().slice(0, 10)
/**
 * The last UTC day the server handles. Its end, 9999-12-31T00:00:00Z, is the last midnight PostgreSQL and
 * `YYYY-MM-DD` can both write: the day after 9999-12-31 would need a five-digit year.
 */
export const LAST_SUPPORTED_UTC_DAY = '9999-12-30'
/** The earliest instant the server handles (the start of `FIRST_SUPPORTED_UTC_DAY`), in ms since 1970. */
export const EARLIEST_SUPPORTED_UTC_MS = EARLIEST_EVENT_TIMESTAMP_MS
/** The latest instant the server handles (the end of `LAST_SUPPORTED_UTC_DAY`), in ms since 1970. */
export const LATEST_SUPPORTED_UTC_MS = Date.parse(`${LAST_SUPPORTED_UTC_DAY}T00:00:00Z`) + DAY_MS

/** The start of `day` in ms, or NaN when it is not a real calendar date written `YYYY-MM-DD`. */
function startMsOf(day: string): number {
  if (!DAY_PATTERN.test(day)) return Number.NaN
  const ms = Date.parse(`${day}T00:00:00Z`)
  // Date.parse rolls an impossible date over (2026-02-30 is 2026-03-02): only a date that reads back is real.
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === day ? ms : Number.NaN
}

function requireStartMs(day: string): number {
  const ms = startMsOf(day)
  if (Number.isNaN(ms)) throw new RangeError(`"${day}" is not a calendar date written YYYY-MM-DD.`)
  return ms
}

/**
 * True for a real calendar date written `YYYY-MM-DD` from `FIRST_SUPPORTED_UTC_DAY` to
 * `LAST_SUPPORTED_UTC_DAY`: the days the server accepts from its callers.
 */
export function isUtcDay(text: string): boolean {
  return text >= FIRST_SUPPORTED_UTC_DAY && text <= LAST_SUPPORTED_UTC_DAY && !Number.isNaN(startMsOf(text))
}

/** True when the instant `ms` lies in [`EARLIEST_SUPPORTED_UTC_MS`, `LATEST_SUPPORTED_UTC_MS`]. */
export function isSupportedUtcInstant(ms: number): boolean {
  return ms >= EARLIEST_SUPPORTED_UTC_MS && ms <= LATEST_SUPPORTED_UTC_MS
}

/** The UTC day (`YYYY-MM-DD`) containing the instant `ms`; a RangeError when its year is not four digits. */
export function utcDayOf(ms: number): string {
  const day = new Date(ms).toISOString().slice(0, 10)
  if (!DAY_PATTERN.test(day))
    throw new RangeError(`${ms} ms is outside the days that can be written YYYY-MM-DD.`)
  return day
}

/** `day` moved by `days` (negative: back); a RangeError when either is not a day written `YYYY-MM-DD`. */
export function addUtcDays(day: string, days: number): string {
  return utcDayOf(requireStartMs(day) + days * DAY_MS)
}

/** The half-open UTC range [fromUtc, toUtc) of a day. */
export function utcDayRange(day: string): { fromUtc: string; toUtc: string } {
  return { fromUtc: `${day}T00:00:00.000Z`, toUtc: `${addUtcDays(day, 1)}T00:00:00.000Z` }
}

/** How many days `fromDay` to `toDay` holds, both included (0 when `toDay` is before `fromDay`). */
export function countUtcDays(fromDay: string, toDay: string): number {
  return Math.max(0, (requireStartMs(toDay) - requireStartMs(fromDay)) / DAY_MS + 1)
}

/** Every day from `fromDay` to `toDay`, both included, in order. */
export function listUtcDays(fromDay: string, toDay: string): string[] {
  const fromMs = requireStartMs(fromDay)
  return Array.from({ length: countUtcDays(fromDay, toDay) }, (_, index) => utcDayOf(fromMs + index * DAY_MS))
}

/** Days since 1970-01-01: a small integer that names a day in an advisory lock key. */
export function utcDayNumber(day: string): number {
  return Math.round(requireStartMs(day) / DAY_MS)
}
