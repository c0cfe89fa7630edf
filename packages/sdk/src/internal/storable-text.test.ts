import { describe, expect, it } from 'vitest'
import { storableText } from './storable-text.ts'

describe('storableText', () => {
  it('keeps short text as it is and cuts long text to the limit', () => {
    expect(storableText('refund', 10)).toBe('refund')
    expect(storableText('refund', 3)).toBe('ref')
  })

  it('never splits a surrogate pair at the cut', () => {
    const cut = storableText(`${'x'.repeat(255)}😀`, 256)
    expect(cut).toBe('x'.repeat(255))
    // Well-formed: UTF-8 holds it unchanged (a lone surrogate would come back as U+FFFD).
    expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut)
    expect(storableText(`${'x'.repeat(254)}😀y`, 256)).toBe(`${'x'.repeat(254)}😀`)
  })

  it('replaces NUL and lone surrogates, which the server cannot store, and keeps pairs', () => {
    expect(storableText('a\u0000b', 10)).toBe('a\ufffdb')
    expect(storableText('x\ud800y\udc00z😀', 20)).toBe('x\ufffdy\ufffdz😀')
  })
})
