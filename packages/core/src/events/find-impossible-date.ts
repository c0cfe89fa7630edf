import { z } from 'zod'

// The calendar date an ISO 8601 time starts with, before its `T`.
const DATE_OF_TIME = /^(\d{4})-(\d{2})-(\d{2})(?=T)/
const isoTimeWithOffset = z.iso.datetime({ offset: true })
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

// Proleptic Gregorian, as ISO 8601 and PostgreSQL count (Date.UTC would read years 0-99 as 1900-1999).
function isCalendarDay(year: number, month: number, day: number): boolean {
  const days = DAYS_IN_MONTH[month - 1]
  if (days === undefined || day < 1) return false
  const isLeapYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  return day <= (month === 2 && isLeapYear ? 29 : days)
}

/**
 * The date of an ISO 8601 time with an offset that would be valid but for a day the calendar does not
 * have (`2026-02-30T00:00:00Z` → `2026-02-30`, `2026-04-31T10:00:00+02:00` → `2026-04-31`), so a refusal
 * can say that the date does not exist instead of describing the format; undefined for any other text.
 *
 * @example
 * findImpossibleDate('2026-02-30T00:00:00Z') // → '2026-02-30'
 * findImpossibleDate('2024-02-29T00:00:00Z') // → undefined (a leap day)
 */
export function findImpossibleDate(value: string): string | undefined {
  const match = DATE_OF_TIME.exec(value)
  if (!match) return undefined
  const [date = '', year = '', month = '', day = ''] = match
  if (isCalendarDay(Number(year), Number(month), Number(day))) return undefined
  // Only the day is wrong when the same time on a real day is a valid one.
  return isoTimeWithOffset.safeParse(`2000-01-01${value.slice(date.length)}`).success ? date : undefined
}
