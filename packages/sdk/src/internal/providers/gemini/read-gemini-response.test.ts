import { describe, expect, it } from 'vitest'
import { readGeminiResponse } from './read-gemini-response.ts'

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
      usage: undefined,
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
