import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addDecimals, formatDecimal, multiplyDecimals, parseDecimal, shiftDecimal } from './decimal.ts'
import { formatUsd, sumUsd } from './usd.ts'

describe('decimal', () => {
  it('keeps sub-micro-dollar costs that NUMERIC(10,6) would lose', () => {
    const oneToken = shiftDecimal(multiplyDecimals(parseDecimal('0.075'), parseDecimal('1')), 6)
    expect(formatUsd(oneToken)).toBe('0.000000075000')
  })

  it('rounds half away from zero like PostgreSQL NUMERIC', () => {
    expect(formatDecimal(parseDecimal('0.125'), 2)).toBe('0.13')
    expect(formatDecimal(parseDecimal('-0.125'), 2)).toBe('-0.13')
    expect(formatDecimal(parseDecimal('0.124'), 2)).toBe('0.12')
  })

  it('refuses anything that is not a plain decimal', () => {
    for (const bad of ['', '1e-7', ' 1', '1.', '.5', 'NaN', '0x10']) {
      expect(() => parseDecimal(bad), bad).toThrow(/plain decimal/)
    }
  })

  it('adds exactly where binary floating point drifts', () => {
    expect(sumUsd(['0.1', '0.2'])).toBe('0.300000000000')
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 10n ** 15n }), { maxLength: 50 }), (micros) => {
        const strings = micros.map((value) => formatDecimal({ coefficient: value, scale: 12 }, 12))
        const expected = micros.reduce((sum, value) => sum + value, 0n)
        expect(sumUsd(strings)).toBe(formatDecimal({ coefficient: expected, scale: 12 }, 12))
      }),
    )
  })

  it('adds decimals of different scales', () => {
    expect(formatDecimal(addDecimals(parseDecimal('1.5'), parseDecimal('0.0001')), 4)).toBe('1.5001')
  })
})
