import { Hono } from 'hono'
import { z } from 'zod'
import { addUtcDays, countUtcDays, FIRST_SUPPORTED_UTC_DAY } from '../../jobs/utc-days.ts'
import type { Database } from '../../storage/database.ts'
import { knownCostUsd } from '../../storage/repositories/analytics-repository.ts'
import { listDailyCosts } from '../../storage/repositories/daily-costs-repository.ts'
import { ApiError } from '../api-error.ts'
import { type AuthVariables, requireScope } from '../middleware/authenticate.ts'
import { invalidQuery, parseQuery } from '../parse-query.ts'
import { calendarDay } from '../query-schemas.ts'

/** Longest range of one request, in days. */
export const MAX_DAILY_RANGE_DAYS = 400

function isTimeZone(name: string): boolean {
  // Names only: a bare offset such as "+05:30" means the opposite sign to PostgreSQL (POSIX), so refuse it.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
    return true
  } catch {
    return false
  }
}

/** The local date of an instant in a zone, `YYYY-MM-DD`. */
function localDay(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(ms)
}

/** True when the zone's offset is not a whole number of hours at some instant (days are then cut at the hour). */
function hasPartHourOffset(timeZone: string, instantsMs: number[]): boolean {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
  return instantsMs.some((ms) =>
    /:(?!00)\d\d$/.test(format.formatToParts(ms).find((part) => part.type === 'timeZoneName')?.value ?? ''),
  )
}

const dailyQuery = z
  .strictObject({
    from: calendarDay.optional(),
    to: calendarDay.optional(),
    timeZone: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone name such as UTC, Europe/Paris or Asia/Kolkata')
      .default('UTC'),
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, {
    message: 'must not be after to',
    path: ['from'],
  })

/**
 * `GET /v1/analytics/daily?from=YYYY-MM-DD&to=YYYY-MM-DD&timeZone=Area/City`: costs per local day, read from
 * hourly rollups (and verified daily aggregates for UTC), never from a raw scan of a closed period.
 */
export function dailyCostsRoutes(options: { db: Database; now?: () => number }) {
  const now = options.now ?? Date.now
  const app = new Hono<{ Variables: AuthVariables }>()

  app.get('/', requireScope('read'), async (c) => {
    const query = parseQuery(dailyQuery, c.req.queries())
    const nowMs = now()
    const toDay = query.to ?? localDay(nowMs, query.timeZone)
    let fromDay = query.from ?? addUtcDays(toDay, -29)
    // The default 30 days stop at the first day the server handles.
    if (fromDay < FIRST_SUPPORTED_UTC_DAY) fromDay = FIRST_SUPPORTED_UTC_DAY
    // Checked again with the defaults in: a `from` alone may lie after today.
    if (fromDay > toDay)
      throw invalidQuery('from', `must not be after to (${query.to ? toDay : `today, ${toDay}`})`)
    const span = countUtcDays(fromDay, toDay)
    if (span > MAX_DAILY_RANGE_DAYS) {
      throw new ApiError(
        400,
        'RANGE_TOO_LONG',
        `The range spans ${span} days; ask for at most ${MAX_DAILY_RANGE_DAYS} per request.`,
      )
    }
    const days = await listDailyCosts(options.db, {
      projectId: c.get('auth').projectId,
      fromDay,
      toDay,
      timeZone: query.timeZone,
      nowUtc: new Date(nowMs).toISOString(),
    }).catch((error: unknown) => {
      // A name Node's time zone data has and the database's has not (an old alias, say).
      if (
        (error as { code?: unknown }).code === '22023' &&
        /time zone/i.test(String((error as Error).message))
      ) {
        throw invalidQuery(
          'timeZone',
          `"${query.timeZone}" is not a time zone the database knows; use a current IANA name such as America/Los_Angeles`,
        )
      }
      throw error
    })
    // Every day of the range (and now): a zone may keep a part-hour offset for only part of the year.
    const edges = [nowMs]
    for (let day = fromDay; day <= toDay; day = addUtcDays(day, 1)) edges.push(Date.parse(`${day}T12:00:00Z`))
    return c.json({
      from: fromDay,
      to: toDay,
      timeZone: query.timeZone,
      // Hourly rollups cannot split an hour: see docs/operations.md, "Days in other time zones".
      dayBoundary: hasPartHourOffset(query.timeZone, edges) ? 'nearest-utc-hour' : 'exact',
      days: days.map((day) => ({ ...day, costUsd: knownCostUsd(day) })),
      unverifiedDays: days.filter((row) => row.verification === 'unverified').map((row) => row.date),
      staleDays: days.filter((row) => row.verification === 'stale').map((row) => row.date),
    })
  })

  return app
}
