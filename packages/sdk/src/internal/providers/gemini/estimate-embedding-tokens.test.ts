import { describe, expect, it } from 'vitest'
import { estimateEmbeddingTokens } from './estimate-embedding-tokens.ts'

describe('estimateEmbeddingTokens', () => {
  it('counts a token per four bytes of each text, rounded up, in every shape contents take', () => {
    // "hello" is 5 bytes → 2 tokens; "héllo wörld" is 13 bytes → 4 tokens.
    expect(estimateEmbeddingTokens('hello')).toBe(2)
    expect(estimateEmbeddingTokens({ text: 'héllo wörld' })).toBe(4)
    expect(estimateEmbeddingTokens({ parts: [{ text: 'hello' }, { text: 'hello' }] })).toBe(4)
    expect(estimateEmbeddingTokens([{ role: 'user', parts: [{ text: 'hello' }] }, 'hello'])).toBe(4)
  })

  it('bills no tokens for what is not text, and stops at the depth contents can have', () => {
    expect(estimateEmbeddingTokens({ inlineData: { mimeType: 'image/png', data: 'AAAA' } })).toBe(0)
    expect(estimateEmbeddingTokens(42)).toBe(0)
    expect(estimateEmbeddingTokens(null)).toBe(0)
    expect(estimateEmbeddingTokens([[[[['hello']]]]])).toBe(0)
  })
})
