import { describe, expect, it } from 'vitest'
import { findImpossibleDate } from './find-impossible-date.ts'

describe('findImpossibleDate', () => {
  it.each([
    ['2026-02-30T00:00:00Z', '2026-02-30'],
    ['2026-02-29T12:00:00.250+02:00', '2026-02-29'],
    ['2026-04-31T23:00:00-05:00', '2026-04-31'],
    ['2026-13-01T00:00:00Z', '2026-13-01'],
    ['2026-00-10T00:00:00Z', '2026-00-10'],
    ['2026-01-00T00:00:00Z', '2026-01-00'],
    ['2026-01-32T00:00:00Z', '2026-01-32'],
    // Century years are leap years only every 400 years.
    ['2100-02-29T00:00:00Z', '2100-02-29'],
  ])('names the day %s does not have', (value, date) => {
    expect(findImpossibleDate(value)).toBe(date)
  })

  it.each([
    '2024-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    '2026-12-31T23:59:59.999Z',
    // Something else is wrong too, so the date is not the (only) problem.
    '2026-02-30T00:00:00',
    '2026-02-30T24:30:00Z',
    '2026-02-30',
    'soon',
  ])('leaves %s to the format check', (value) => {
    expect(findImpossibleDate(value)).toBeUndefined()
  })
})
