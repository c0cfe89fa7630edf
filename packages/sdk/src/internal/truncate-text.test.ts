import { describe, expect, it } from 'vitest'
import { truncateText } from './truncate-text.ts'

describe('truncateText', () => {
  it('keeps short text as it is and cuts long text to the limit', () => {
    expect(truncateText('refund', 10)).toBe('refund')
    expect(truncateText('refund', 3)).toBe('ref')
  })

  it('never splits a surrogate pair at the cut', () => {
    const cut = truncateText(`${'x'.repeat(255)}😀`, 256)
    expect(cut).toBe('x'.repeat(255))
    // Well-formed: UTF-8 holds it unchanged (a lone surrogate would come back as U+FFFD).
    expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut)
    expect(truncateText(`${'x'.repeat(254)}😀y`, 256)).toBe(`${'x'.repeat(254)}😀`)
  })
})
