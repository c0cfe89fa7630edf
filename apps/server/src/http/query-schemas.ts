import {
  compareIsoTimesExactly,
  findImpossibleDate,
  hasDigitsPastMillisecond,
  isStorableText,
  toUtcMicrosecondCeiling,
  toUtcTimestamp,
} from '@ai-cost-profiler/core'
import { z } from 'zod'
import {
  EARLIEST_SUPPORTED_UTC_MS,
  FIRST_SUPPORTED_UTC_DAY,
  isSupportedUtcInstant,
  isUtcDay,
  LAST_SUPPORTED_UTC_DAY,
  LATEST_SUPPORTED_UTC_MS,
} from '../jobs/utc-days.ts'

const EARLIEST = new Date(EARLIEST_SUPPORTED_UTC_MS).toISOString()
const LATEST = new Date(LATEST_SUPPORTED_UTC_MS).toISOString()

const ISO_TIME_FORMAT = 'must be an ISO 8601 time with an offset, e.g. 2026-11-22T00:00:00Z'
// `…T03:00:00 01:00`: an offset whose `+` an unencoded URL turned into a space.
const SPACE_FOR_PLUS = /\d \d\d:?\d\d$/

/**
 * An ISO 8601 time with an explicit offset inside the range the server handles, written in UTC to the
 * microsecond (a cursor keeps its microseconds; PostgreSQL takes offsets only up to ±15:59).
 * `formatMessage` says how to write one.
 */
export function supportedIsoTime(formatMessage = ISO_TIME_FORMAT) {
  return supportedIsoTimeAsSent(formatMessage).transform(toUtcTimestamp)
}

/** `supportedIsoTime` as it was sent, every digit kept. */
function supportedIsoTimeAsSent(formatMessage = ISO_TIME_FORMAT) {
  const error = (issue: { input?: unknown }) => {
    if (typeof issue.input !== 'string') return formatMessage
    if (SPACE_FOR_PLUS.test(issue.input)) {
      return `${formatMessage}; a + in a URL is read as a space, so write the offset's + as %2B`
    }
    const impossibleDate = findImpossibleDate(issue.input)
    return impossibleDate === undefined
      ? formatMessage
      : `must be a real date: ${impossibleDate} does not exist`
  }
  return z.iso.datetime({ offset: true, error, abort: true }).refine((value) => {
    const ms = Date.parse(value)
    // The latest time itself, not a fraction of a millisecond past it, which Date.parse drops.
    return isSupportedUtcInstant(ms) && !(ms === LATEST_SUPPORTED_UTC_MS && hasDigitsPastMillisecond(value))
  }, `must be a time from ${EARLIEST} to ${LATEST}`)
}

/** A text filter: any value a stored field could hold (PostgreSQL text takes no NUL or lone surrogate). */
export const filterText = z
  .string()
  // No call is stored with an empty text field: an empty filter would silently match nothing.
  .min(1, 'must not be empty; leave the parameter out to match every value')
  .refine(isStorableText, 'contains a NUL character or an unpaired surrogate; remove it')

/** `supportedIsoTime` normalised to UTC, e.g. `2026-11-22T00:00:00.000Z`. */
export function isoTime(formatMessage = ISO_TIME_FORMAT) {
  return supportedIsoTime(formatMessage).transform((value) => new Date(value).toISOString())
}

/** A UTC or local calendar day written `YYYY-MM-DD`, inside the range the server handles. */
export const calendarDay = z
  .string()
  .refine(
    isUtcDay,
    `must be a real date written YYYY-MM-DD, from ${FIRST_SUPPORTED_UTC_DAY} to ${LAST_SUPPORTED_UTC_DAY}`,
  )

/**
 * The fields of a time range `[from, to)`, both optional, as sent: pass the schema holding them to
 * `fromBeforeTo`, which checks their order and writes them as the bounds the storage compares with.
 */
export const timeRangeFields = {
  from: supportedIsoTimeAsSent().optional(),
  to: supportedIsoTimeAsSent().optional(),
}

/**
 * `schema` with its `from` required to be before its `to` (compared as sent, to the last digit) when
 * both are given, and each bound written in UTC to the microsecond, e.g. `2026-11-22T05:00:00.000500Z`
 * (`2026-11-22T05:00:00.000Z` without microseconds). Calls are stored to the microsecond, so a bound
 * with more digits is rounded up to the next microsecond: a call is inside the range exactly when it
 * is inside the range as sent (`to=…23:59:59.9999999Z` keeps a call at `23:59:59.999999`).
 */
export function fromBeforeTo<
  Schema extends z.ZodType<{ from?: string | undefined; to?: string | undefined }>,
>(schema: Schema) {
  return schema
    .refine((range) => !range.from || !range.to || compareIsoTimesExactly(range.from, range.to) < 0, {
      message: 'must be before to',
      path: ['from'],
    })
    .transform(
      (range): z.output<Schema> => ({
        ...range,
        ...(range.from === undefined ? {} : { from: toUtcMicrosecondCeiling(range.from) }),
        ...(range.to === undefined ? {} : { to: toUtcMicrosecondCeiling(range.to) }),
      }),
    )
}

/** `GET /v1/analytics/summary`'s query: a time range `[from, to)`, both ends optional; nothing else. */
export const timeRangeQuery = fromBeforeTo(z.strictObject(timeRangeFields))

/**
 * A whole-number query parameter from `min` to `max`, in decimal digits (`z.coerce` would take `0x3`,
 * `1e0` and ` 3`, and read `abc` as NaN); an empty value takes the default, as an absent one does.
 */
export function wholeNumberQuery(fallback: number, min: number, max: number) {
  const rule = `must be a whole number from ${min} to ${max}`
  return z
    .string()
    .transform((value) => (value === '' ? String(fallback) : value))
    .pipe(z.string().regex(/^\d+$/, `${rule}, written in decimal digits`))
    .transform(Number)
    .pipe(z.number().min(min, rule).max(max, rule))
    .default(fallback)
}
