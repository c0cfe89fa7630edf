// The two shapes providers date snapshots with: OpenAI's -YYYY-MM-DD and Anthropic's -YYYYMMDD.
const DASHED_DATE_SUFFIX = /^(.+)-(\d{4})-(\d{2})-(\d{2})$/
const COMPACT_DATE_SUFFIX = /^(.+)-(\d{4})(\d{2})(\d{2})$/

/**
 * The base id of a dated snapshot id, or undefined when the id carries no date suffix:
 * `gpt-4o-mini-2024-07-18` → `gpt-4o-mini`, `claude-sonnet-4-20250514` → `claude-sonnet-4`.
 * Only real calendar dates from 2020 on count, so version numbers such as `gpt-4-0613` or
 * `gemini-1.5-flash-002` are never mistaken for dates.
 */
export function stripSnapshotDate(model: string): string | undefined {
  const match = DASHED_DATE_SUFFIX.exec(model) ?? COMPACT_DATE_SUFFIX.exec(model)
  if (!match) return undefined
  const [, base = '', yearText = '', monthText = '', dayText = ''] = match
  const year = Number(yearText)
  const month = Number(monthText)
  const day = Number(dayText)
  const date = new Date(Date.UTC(year, month - 1, day))
  const isCalendarDate =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  return isCalendarDate && year >= 2020 ? base : undefined
}
