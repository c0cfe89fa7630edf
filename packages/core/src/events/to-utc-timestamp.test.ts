import { describe, expect, it } from 'vitest'
import { compareIsoTimesExactly, toUtcMicrosecondCeiling, toUtcTimestamp } from './to-utc-timestamp.ts'

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

describe('toUtcMicrosecondCeiling', () => {
  it.each([
    ['2026-11-22T10:00:00Z', '2026-11-22T10:00:00.000Z'],
    ['2026-11-22T10:00:00.000500Z', '2026-11-22T10:00:00.000500Z'],
    ['2026-11-22T10:00:00.5+01:00', '2026-11-22T09:00:00.500Z'],
    // Past the microsecond: up to the next one, across the millisecond, the second and the day.
    ['2026-11-22T10:00:00.0000001Z', '2026-11-22T10:00:00.000001Z'],
    ['2026-11-22T10:00:00.0009991Z', '2026-11-22T10:00:00.001Z'],
    ['2026-11-29T23:59:59.9999999Z', '2026-11-30T00:00:00.000Z'],
    ['2026-11-29T23:59:59.9999990000Z', '2026-11-29T23:59:59.999999Z'],
    ['2026-11-30T01:59:59.99999901+02:00', '2026-11-30T00:00:00.000Z'],
  ])('writes the bound %s as %s', (value, expected) => {
    expect(toUtcMicrosecondCeiling(value)).toBe(expected)
  })
})

describe('compareIsoTimesExactly', () => {
  it.each([
    ['2026-11-22T10:00:00.999999Z', '2026-11-22T10:00:00.9999999Z', -1],
    ['2026-11-22T10:00:00.9999991Z', '2026-11-22T10:00:00.9999992Z', -1],
    ['2026-11-22T10:00:00.50Z', '2026-11-22T10:00:00.5Z', 0],
    ['2026-11-22T11:00:00.0000001+01:00', '2026-11-22T10:00:00Z', 1],
  ])('orders %s and %s as %i', (a, b, expected) => {
    expect(Math.sign(compareIsoTimesExactly(a, b))).toBe(expected)
    expect(Math.sign(compareIsoTimesExactly(b, a))).toBe(-expected || 0)
  })
})
