import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findUnstorableText, jsonTextMayHoldUnstorableText } from './find-unstorable-text.ts'

// Strings biased towards the troublesome code units: NUL, other controls, lone and paired surrogates.
const awkwardText = fc
  .array(
    fc.oneof(
      fc.constantFrom('\u0000', '\u0001', '\ud800', '\udfff', '\ud83d\ude00', '\\', 'u', '"', 'é'),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''))

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    awkwardText,
    fc.integer(),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(awkwardText, tie('value'), { maxKeys: 3 }),
  ),
})).value

describe('jsonTextMayHoldUnstorableText', () => {
  it('is true whenever the parsed value holds NUL or an unpaired surrogate', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const text = JSON.stringify(value)
        if (findUnstorableText(JSON.parse(text)) !== undefined) {
          expect(jsonTextMayHoldUnstorableText(text)).toBe(true)
        }
      }),
      { numRuns: 5_000 },
    )
  })

  it('holds for bytes that are not valid UTF-8, which decode to U+FFFD', () => {
    // A surrogate encoded in UTF-8 (CESU style) is invalid UTF-8, never a lone surrogate.
    const text = Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]).toString('utf8')
    expect(jsonTextMayHoldUnstorableText(text)).toBe(false)
    expect(findUnstorableText(JSON.parse(text))).toBeUndefined()
  })

  it('sends text with any \\u escape to the full check', () => {
    expect(jsonTextMayHoldUnstorableText('{"a":"x\\u0000"}')).toBe(true)
    expect(jsonTextMayHoldUnstorableText('{"a":"\\u00e9"}')).toBe(true)
    expect(jsonTextMayHoldUnstorableText('{"a":"plain é"}')).toBe(false)
  })
})
