import { describe, expect, it } from 'vitest'
import { toUtcTimestamp } from './to-utc-timestamp.ts'

describe('toUtcTimestamp', () => {
  it.each([
    // Already UTC, to the microsecond at most: as it is.
    ['2026-11-22T10:00:00Z', '2026-11-22T10:00:00Z'],
    ['2026-11-22T10:00:00.123456Z', '2026-11-22T10:00:00.123456Z'],
    ['2026-11-22t10:00:00.0000015z', '2026-11-22T10:00:00.000001Z'],
    ['2026-11-22T10:00:00.5+01:00', '2026-11-22T09:00:00.500Z'],
    // Offsets past ±15:59, which PostgreSQL refuses, are written away.
    ['2026-11-29T10:00:00+16:00', '2026-11-28T18:00:00.000Z'],
    ['2026-11-29T10:00:00.1234-23:59', '2026-11-30T09:59:00.123400Z'],
    // Microseconds are kept; digits past them are dropped, not rounded into the next day.
    ['2026-11-29T23:59:59.9999999Z', '2026-11-29T23:59:59.999999Z'],
    ['2026-11-29T23:59:59.999000999Z', '2026-11-29T23:59:59.999Z'],
  ])('writes %s as %s', (value, expected) => {
    expect(toUtcTimestamp(value)).toBe(expected)
    expect(Date.parse(toUtcTimestamp(value))).toBe(Date.parse(value))
  })
})
