import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decimalStringFromNumber } from './decimal-string-from-number.ts'

describe('decimalStringFromNumber', () => {
  it('keeps the digits a price was written with', () => {
    expect(decimalStringFromNumber(0.01875)).toBe('0.01875')
    expect(decimalStringFromNumber(0.075)).toBe('0.075')
    expect(decimalStringFromNumber(2.5)).toBe('2.5')
    expect(decimalStringFromNumber(0)).toBe('0')
  })

  it('spells out exponent forms', () => {
    expect(decimalStringFromNumber(1e-7)).toBe('0.0000001')
    expect(decimalStringFromNumber(1.5e-7)).toBe('0.00000015')
    expect(decimalStringFromNumber(1.25e21)).toBe('1250000000000000000000')
  })

  it('reads back as the same number', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e25, noNaN: true, noDefaultInfinity: true }), (value) => {
        const text = decimalStringFromNumber(value)
        expect(text).toMatch(/^\d+(\.\d+)?$/)
        expect(Number(text)).toBe(value)
      }),
    )
  })

  it('refuses values that are not prices', () => {
    for (const value of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => decimalStringFromNumber(value)).toThrow(/not a finite, non-negative price/)
    }
  })
})
