import { describe, expect, it } from 'vitest'
import { mergeGeminiUsageMetadata, readGeminiResponse } from './read-gemini-response.ts'

const chunkWithParts = (...parts: unknown[]) => ({
  candidates: [{ content: { role: 'model', parts }, index: 0 }],
})

describe('readGeminiResponse: generated content, for time to first token', () => {
  it('counts text, thought summaries and non-text parts as generated output', () => {
    expect(readGeminiResponse(chunkWithParts({ text: 'Hello' })).hasContent).toBe(true)
    expect(readGeminiResponse(chunkWithParts({ text: 'Weighing options', thought: true })).hasContent).toBe(
      true,
    )
    expect(
      readGeminiResponse(chunkWithParts({ functionCall: { name: 'lookup', args: {} } })).hasContent,
    ).toBe(true)
    expect(readGeminiResponse(chunkWithParts({ text: '' }, { text: 'x' })).hasContent).toBe(true)
  })

  it('does not count a chunk whose parts hold only empty text or a thought signature', () => {
    expect(readGeminiResponse(chunkWithParts({ text: '' })).hasContent).toBe(false)
    expect(
      readGeminiResponse(chunkWithParts({ text: '', thoughtSignature: 'c2lnbmF0dXJl' })).hasContent,
    ).toBe(false)
    expect(readGeminiResponse(chunkWithParts()).hasContent).toBe(false)
    expect(readGeminiResponse({ usageMetadata: { promptTokenCount: 3 } }).hasContent).toBe(false)
  })
})

describe('readGeminiResponse: odd shapes', () => {
  it('reads nothing from what is not a response, and no content from parts that are not objects', () => {
    expect(readGeminiResponse(undefined)).toMatchObject({
      hasContent: false,
      finished: false,
      usageMetadata: undefined,
    })
    expect(readGeminiResponse('text')).toMatchObject({ hasContent: false, toolResponses: false })
    expect(readGeminiResponse(chunkWithParts('text', null, 7)).hasContent).toBe(false)
    expect(readGeminiResponse({ candidates: 'none' }).hasContent).toBe(false)
  })

  it('takes a blocked prompt or any finish reason as the end, and a user turn as tool responses', () => {
    expect(readGeminiResponse({ promptFeedback: { blockReason: 'SAFETY' } }).finished).toBe(true)
    expect(readGeminiResponse({ candidates: [{ finishReason: 'STOP' }] }).finished).toBe(true)
    expect(
      readGeminiResponse({ candidates: [{ content: { role: 'user', parts: [{ text: 'result' }] } }] }),
    ).toMatchObject({ toolResponses: true, hasContent: false })
  })
})

describe('mergeGeminiUsageMetadata', () => {
  it('takes each count a chunk gives and keeps the ones it leaves out or sends as null', () => {
    const first = { promptTokenCount: 1200, thoughtsTokenCount: 408, candidatesTokenCount: 9 }
    expect(mergeGeminiUsageMetadata(undefined, first)).toBe(first)
    expect(mergeGeminiUsageMetadata(first, undefined)).toBe(first)
    expect(mergeGeminiUsageMetadata(first, { candidatesTokenCount: 14, thoughtsTokenCount: null })).toEqual({
      promptTokenCount: 1200,
      thoughtsTokenCount: 408,
      candidatesTokenCount: 14,
    })
    // The running value is not changed in place: it may be a response the caller holds.
    expect(first.candidatesTokenCount).toBe(9)
  })
})
