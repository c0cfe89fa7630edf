import { describe, expect, it } from 'vitest'
import {
  addUtcDays,
  countUtcDays,
  EARLIEST_SUPPORTED_UTC_MS,
  isSupportedUtcInstant,
  isUtcDay,
  LATEST_SUPPORTED_UTC_MS,
  listUtcDays,
  utcDayOf,
  utcDayRange,
} from './utc-days.ts'

describe('UTC days', () => {
  it('refuses to step past the days written YYYY-MM-DD instead of returning "+010000-01"', () => {
    expect(addUtcDays('9999-12-30', 1)).toBe('9999-12-31')
    expect(() => addUtcDays('9999-12-31', 1)).toThrow(RangeError)
    expect(() => addUtcDays('0000-01-01', -1)).toThrow(RangeError)
    expect(() => addUtcDays('2026-02-30', 1)).toThrow(RangeError)
    expect(() => utcDayOf(Date.UTC(10_000, 0, 1))).toThrow(RangeError)
    expect(() => utcDayOf(Number.NaN)).toThrow(RangeError)
  })

  it('lists and counts days by number, so a range ending at the last writable day ends', () => {
    expect(listUtcDays('9999-12-29', '9999-12-31')).toEqual(['9999-12-29', '9999-12-30', '9999-12-31'])
    expect(listUtcDays('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01'])
    expect(listUtcDays('2026-01-02', '2026-01-01')).toEqual([])
    expect(countUtcDays('2000-01-01', '9999-12-30')).toBe(2_921_939)
    expect(() => listUtcDays('9999-12-30', '+010000-01-01')).toThrow(RangeError)
    expect(() => countUtcDays('2026-01-01', '2026-02-30')).toThrow(RangeError)
  })

  it('accepts only real days from 2000-01-01 to 9999-12-30, whose ends can all be written', () => {
    for (const day of ['2000-01-01', '2024-02-29', '9999-12-30']) expect(isUtcDay(day)).toBe(true)
    for (const day of ['1999-12-31', '0000-12-31', '9999-12-31', '2026-02-29', '2026-02-30', '2026-1-01']) {
      expect(isUtcDay(day)).toBe(false)
    }
    expect(utcDayRange('9999-12-30')).toEqual({
      fromUtc: '9999-12-30T00:00:00.000Z',
      toUtc: '9999-12-31T00:00:00.000Z',
    })
    expect(new Date(LATEST_SUPPORTED_UTC_MS).toISOString()).toBe('9999-12-31T00:00:00.000Z')
    expect(isSupportedUtcInstant(EARLIEST_SUPPORTED_UTC_MS)).toBe(true)
    expect(isSupportedUtcInstant(LATEST_SUPPORTED_UTC_MS)).toBe(true)
    expect(isSupportedUtcInstant(EARLIEST_SUPPORTED_UTC_MS - 1)).toBe(false)
    expect(isSupportedUtcInstant(LATEST_SUPPORTED_UTC_MS + 1)).toBe(false)
    expect(isSupportedUtcInstant(Number.NaN)).toBe(false)
  })
})
