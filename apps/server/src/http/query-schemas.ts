import { compareUtcTimes, isStorableText, subMillisecondMicros, toUtcTimestamp } from '@ai-cost-profiler/core'
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

/**
 * An ISO 8601 time with an explicit offset inside the range the server handles, written in UTC to the
 * microsecond (a cursor keeps its microseconds; PostgreSQL takes offsets only up to ±15:59).
 * `formatMessage` says how to write one.
 */
export function supportedIsoTime(formatMessage = ISO_TIME_FORMAT) {
  return z.iso
    .datetime({ offset: true, message: formatMessage, abort: true })
    .refine(
      (value) => isSupportedUtcInstant(Date.parse(value)),
      `must be a time from ${EARLIEST} to ${LATEST}`,
    )
    .transform(toUtcTimestamp)
}

/** A text filter: any value a stored field could hold (PostgreSQL text takes no NUL or lone surrogate). */
export const filterText = z
  .string()
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
 * `isoTime` that keeps microseconds, e.g. `2026-11-22T05:00:00.000500Z` (`2026-11-22T05:00:00.000Z`
 * without them): calls are stored to the microsecond, so a range bound must cut there too.
 */
export function preciseIsoTime(formatMessage = ISO_TIME_FORMAT) {
  return supportedIsoTime(formatMessage).transform((value) => {
    const millisecondIso = new Date(Date.parse(value)).toISOString()
    const micros = subMillisecondMicros(value)
    return micros === 0 ? millisecondIso : `${millisecondIso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`
  })
}

/** The fields of a time range `[from, to)`; both optional. Check their order with `fromBeforeTo`. */
export const timeRangeFields = { from: preciseIsoTime().optional(), to: preciseIsoTime().optional() }

/** `schema` with its `from` required to be before its `to` (compared as instants) when both are given. */
export function fromBeforeTo<
  Schema extends z.ZodType<{ from?: string | undefined; to?: string | undefined }>,
>(schema: Schema): Schema {
  return schema.refine((range) => !range.from || !range.to || compareUtcTimes(range.from, range.to) < 0, {
    message: 'must be before to',
    path: ['from'],
  })
}

/** `GET /v1/analytics/summary`'s query: a time range `[from, to)`, both ends optional; nothing else. */
export const timeRangeQuery = fromBeforeTo(z.strictObject(timeRangeFields))
