import { describe, expect, it } from 'vitest'
import { storableText } from './storable-text.ts'

describe('storableText', () => {
  it('keeps short text as it is and cuts long text to the limit', () => {
    expect(storableText('refund', 10)).toBe('refund')
    expect(storableText('refund', 3)).toBe('ref')
  })

  it('counts characters as the server does, an emoji once, and never splits a surrogate pair', () => {
    // 203 emoji: 406 UTF-16 units, 203 characters, within a limit of 256.
    expect(storableText('😀'.repeat(203), 256)).toBe('😀'.repeat(203))
    expect(storableText(`${'x'.repeat(255)}😀`, 256)).toBe(`${'x'.repeat(255)}😀`)
    const cut = storableText(`${'x'.repeat(255)}😀😀`, 256)
    expect(cut).toBe(`${'x'.repeat(255)}😀`)
    // Well-formed: UTF-8 holds it unchanged (a lone surrogate would come back as U+FFFD).
    expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut)
    expect(storableText(`${'x'.repeat(254)}😀yz`, 256)).toBe(`${'x'.repeat(254)}😀y`)
    expect(storableText('😀'.repeat(300), 128)).toBe('😀'.repeat(128))
  })

  it('replaces NUL and lone surrogates, which the server cannot store, and keeps pairs', () => {
    expect(storableText('a\u0000b', 10)).toBe('a\ufffdb')
    expect(storableText('x\ud800y\udc00z😀', 20)).toBe('x\ufffdy\ufffdz😀')
  })
})
