import { CoreError } from '../errors/core-error.ts'

// A date, or a date and time with an explicit offset: a time without one would be read in the
// server's local zone and shift which price is in force.
const INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/i

/** Milliseconds since the epoch of an ISO 8601 time with an offset, or of a date read as UTC midnight. */
export function parseInstant(value: string, label: string): number {
  const epochMs = INSTANT.test(value) ? Date.parse(value) : Number.NaN
  if (Number.isNaN(epochMs)) {
    throw new CoreError(
      'INVALID_ARGUMENT',
      `${label} "${value}" is not an ISO 8601 date or a time with an offset, e.g. 2026-11-22T10:00:00Z`,
    )
  }
  return epochMs
}
