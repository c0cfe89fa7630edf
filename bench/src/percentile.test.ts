import { describe, expect, it } from 'vitest'
import { percentile } from './percentile.ts'

describe('percentile', () => {
  it('returns measured values by nearest rank', () => {
    const samples = [5, 1, 4, 2, 3]
    expect(percentile(samples, 50)).toBe(3)
    expect(percentile(samples, 0)).toBe(1)
    expect(percentile(samples, 100)).toBe(5)
    expect(percentile([1, 2, 3, 4], 50)).toBe(2)
    expect(
      percentile(
        Array.from({ length: 1000 }, (_, index) => index + 1),
        99,
      ),
    ).toBe(990)
  })

  it('refuses an empty sample', () => {
    expect(() => percentile([], 50)).toThrow('percentile of no samples')
  })
})
