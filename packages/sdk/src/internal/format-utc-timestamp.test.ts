import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatUtcTimestamp } from './format-utc-timestamp.ts'

describe('formatUtcTimestamp', () => {
  it('matches Date#toISOString for whole milliseconds, in any order of calls', () => {
    const latest = Date.UTC(9999, 11, 31, 23, 59, 59, 998)
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: latest }), { minLength: 1 }), (times) => {
        for (const epochMs of times) {
          expect(formatUtcTimestamp(epochMs)).toBe(new Date(epochMs).toISOString())
          expect(formatUtcTimestamp(epochMs + 1)).toBe(new Date(epochMs + 1).toISOString())
        }
      }),
    )
  })

  it('pads milliseconds within one second', () => {
    const second = Date.UTC(2026, 0, 2, 3, 4, 5)
    expect([0, 7, 42, 999].map((millis) => formatUtcTimestamp(second + millis))).toEqual([
      '2026-01-02T03:04:05.000Z',
      '2026-01-02T03:04:05.007Z',
      '2026-01-02T03:04:05.042Z',
      '2026-01-02T03:04:05.999Z',
    ])
  })
})
