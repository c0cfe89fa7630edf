import { describe, expect, it } from 'vitest'
import generateContent from './__fixtures__/gemini-generate-content.json' with { type: 'json' }
import audio from './__fixtures__/gemini-generate-content-audio.json' with { type: 'json' }
import cachedAudio from './__fixtures__/gemini-usage-cached-audio.json' with { type: 'json' }
import { normalizeGeminiUsage } from './normalize-gemini-usage.ts'
import { findUsageProblems, usageBucketsSchema } from './usage-buckets.ts'

describe('normalizeGeminiUsage', () => {
  it('adds thoughts to output and tool-use prompt tokens to input; cache stays inside the prompt', () => {
    const usage = normalizeGeminiUsage(generateContent.usageMetadata)
    expect(usage).toEqual({
      inputTokens: 34_500 + 100,
      outputTokens: 210 + 1105,
      cacheReadInputTokens: 32_768,
      reasoningTokens: 1105,
      inputImageTokens: 258,
    })
    // The provider's own total agrees with the buckets.
    expect(usage.inputTokens + usage.outputTokens).toBe(generateContent.usageMetadata.totalTokenCount)
    expect(findUsageProblems(usage)).toEqual([])
  })

  it('reports audio parts by modality', () => {
    expect(normalizeGeminiUsage(audio.usageMetadata)).toEqual({
      inputTokens: 420,
      outputTokens: 640,
      inputAudioTokens: 400,
      outputAudioTokens: 640,
    })
  })

  it('keeps cached audio out of the audio part, which is billed as uncached input', () => {
    // 2,000 text tokens uncached; 10,000 audio tokens all from the cache.
    const usage = normalizeGeminiUsage(cachedAudio)
    expect(usage).toEqual({ inputTokens: 12_000, outputTokens: 100, cacheReadInputTokens: 10_000 })
  })

  it('reads a first stream chunk that has only a prompt count', () => {
    expect(normalizeGeminiUsage({ promptTokenCount: 12, totalTokenCount: 12 })).toEqual({
      inputTokens: 12,
      outputTokens: 0,
    })
  })

  it('ignores malformed detail entries', () => {
    expect(
      normalizeGeminiUsage({
        promptTokenCount: 5,
        candidatesTokenCount: 1,
        promptTokensDetails: [{ modality: 'AUDIO' }, { tokenCount: 4 }],
      }),
    ).toEqual({ inputTokens: 5, outputTokens: 1 })
  })

  it('reads details that are not lists, and counts that are not whole numbers, as nothing', () => {
    const odd = {
      promptTokenCount: 10,
      candidatesTokenCount: -2,
      thoughtsTokenCount: '7',
      promptTokensDetails: { modality: 'AUDIO', tokenCount: 10 },
      toolUsePromptTokensDetails: 'AUDIO',
      cacheTokensDetails: 42,
      candidatesTokensDetails: [null, 3, 'IMAGE', { modality: 'IMAGE', tokenCount: -1 }],
    }
    const usage = normalizeGeminiUsage(odd as never)
    expect(usage).toEqual({ inputTokens: 10, outputTokens: 0 })
    expect(usageBucketsSchema.safeParse(usage).success).toBe(true)
    expect(normalizeGeminiUsage(null as never)).toEqual({ inputTokens: 0, outputTokens: 0 })
  })

  it('grows a whole by a part reported outside it, so the usage is never refused', () => {
    const usage = normalizeGeminiUsage({
      promptTokenCount: 100,
      cachedContentTokenCount: 300,
      candidatesTokenCount: 10,
      candidatesTokensDetails: [{ modality: 'AUDIO', tokenCount: 50 }],
    })
    expect(usage).toEqual({
      inputTokens: 400,
      outputTokens: 60,
      cacheReadInputTokens: 300,
      outputAudioTokens: 50,
    })
    expect(findUsageProblems(usage)).toEqual([])
  })
})
