const DAY_MS = 86_400_000
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isUtcDay(text: string): boolean {
  if (!DAY_PATTERN.test(text)) return false
  const ms = Date.parse(`${text}T00:00:00Z`)
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text
}

/** The UTC day (`YYYY-MM-DD`) containing the instant `ms`. */
export function utcDayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** `day` moved by `days` (negative: back). */
export function addUtcDays(day: string, days: number): string {
  return utcDayOf(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS)
}

/** The half-open UTC range [fromUtc, toUtc) of a day. */
export function utcDayRange(day: string): { fromUtc: string; toUtc: string } {
  return { fromUtc: `${day}T00:00:00.000Z`, toUtc: `${addUtcDays(day, 1)}T00:00:00.000Z` }
}

/** Every day from `fromDay` to `toDay`, both included, in order. */
export function listUtcDays(fromDay: string, toDay: string): string[] {
  const days: string[] = []
  for (let day = fromDay; day <= toDay; day = addUtcDays(day, 1)) days.push(day)
  return days
}

/** Days since 1970-01-01: a small integer that names a day in an advisory lock key. */
export function utcDayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS)
}
