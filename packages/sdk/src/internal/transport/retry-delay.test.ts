import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { backoffDelayMs, parseRetryAfterMs, retryDelayMs } from './retry-delay.ts'

describe('backoffDelayMs', () => {
  it('doubles per failure, within [half, full] of the ceiling, capped', () => {
    const options = { initialBackoffMs: 100, maxBackoffMs: 1000 }
    expect(backoffDelayMs(1, { ...options, random: () => 0 })).toBe(50)
    expect(backoffDelayMs(1, { ...options, random: () => 0.999_999 })).toBe(100)
    expect(backoffDelayMs(3, { ...options, random: () => 0 })).toBe(200)
    expect(backoffDelayMs(50, { ...options, random: () => 0 })).toBe(500)
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (n, r) => {
          const delay = backoffDelayMs(n, { ...options, random: () => r })
          return delay >= 50 && delay <= 1000
        },
      ),
    )
  })
})

describe('jitter without an injected random', () => {
  it('stays within the backoff and Retry-After bounds with Math.random', () => {
    const options = { initialBackoffMs: 100, maxBackoffMs: 10_000 }
    for (let attempt = 0; attempt < 20; attempt++) {
      const backoff = backoffDelayMs(2, options)
      expect(backoff).toBeGreaterThanOrEqual(100)
      expect(backoff).toBeLessThanOrEqual(200)
      const withRetryAfter = retryDelayMs(1, { ...options, retryAfterMs: 1_000 })
      expect(withRetryAfter).toBeGreaterThanOrEqual(1_000)
      expect(withRetryAfter).toBeLessThanOrEqual(1_100)
    }
  })
})

describe('retryDelayMs', () => {
  const options = { initialBackoffMs: 100, maxBackoffMs: 10_000 }

  it('is the backoff without Retry-After, and never less than it with Retry-After: 0', () => {
    expect(retryDelayMs(1, { ...options, retryAfterMs: undefined, random: () => 0 })).toBe(50)
    expect(retryDelayMs(1, { ...options, retryAfterMs: 0, random: () => 0 })).toBe(50)
    expect(retryDelayMs(4, { ...options, retryAfterMs: 0, random: () => 0.5 })).toBe(600)
  })

  it('waits at least Retry-After, spread by up to a tenth of it, within maxBackoffMs', () => {
    expect(retryDelayMs(1, { ...options, retryAfterMs: 2000, random: () => 0 })).toBe(2000)
    expect(retryDelayMs(1, { ...options, retryAfterMs: 2000, random: () => 0.5 })).toBe(2100)
    expect(retryDelayMs(1, { ...options, retryAfterMs: 10_000, random: () => 0.5 })).toBe(10_000)
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (n, retryAfterMs, r) => {
          const random = () => r
          const delay = retryDelayMs(n, { ...options, retryAfterMs, random })
          return (
            delay >= retryAfterMs && delay >= backoffDelayMs(n, { ...options, random }) && delay <= 10_000
          )
        },
      ),
    )
  })
})

describe('parseRetryAfterMs', () => {
  it('reads delta-seconds and HTTP dates, capped, and ignores garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfterMs('5', now, 60_000)).toBe(5000)
    expect(parseRetryAfterMs('0.25', now, 60_000)).toBe(250)
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now, 60_000)).toBe(30_000)
    expect(parseRetryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now, 60_000)).toBe(0)
    expect(parseRetryAfterMs('3600', now, 60_000)).toBe(60_000)
    expect(parseRetryAfterMs('soon', now, 60_000)).toBeUndefined()
    expect(parseRetryAfterMs(null, now, 60_000)).toBeUndefined()
    expect(parseRetryAfterMs(' ', now, 60_000)).toBeUndefined()
  })
})
