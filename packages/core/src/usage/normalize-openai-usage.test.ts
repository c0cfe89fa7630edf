import { describe, expect, it } from 'vitest'
import chatCompletion from './__fixtures__/openai-chat-completion.json' with { type: 'json' }
import chatAudio from './__fixtures__/openai-chat-completion-audio.json' with { type: 'json' }
import embedding from './__fixtures__/openai-embedding.json' with { type: 'json' }
import response from './__fixtures__/openai-response.json' with { type: 'json' }
import { normalizeOpenAiUsage } from './normalize-openai-usage.ts'
import { findUsageProblems, MAX_TOKENS_PER_BUCKET, usageBucketsSchema } from './usage-buckets.ts'

describe('normalizeOpenAiUsage', () => {
  it('keeps cached and reasoning tokens inside the chat completion wholes', () => {
    const usage = normalizeOpenAiUsage(chatCompletion.usage)
    expect(usage).toEqual({
      inputTokens: 2148,
      outputTokens: 412,
      cacheReadInputTokens: 1920,
      reasoningTokens: 320,
    })
    expect(findUsageProblems(usage)).toEqual([])
  })

  it('reports audio parts of a chat completion', () => {
    expect(normalizeOpenAiUsage(chatAudio.usage)).toEqual({
      inputTokens: 96,
      outputTokens: 118,
      inputAudioTokens: 57,
      outputAudioTokens: 102,
    })
  })

  it('reads the Responses API shape', () => {
    const usage = normalizeOpenAiUsage(response.usage)
    expect(usage).toEqual({
      inputTokens: 5230,
      outputTokens: 1187,
      cacheReadInputTokens: 4096,
      reasoningTokens: 1024,
    })
    expect(usageBucketsSchema.safeParse(usage).success).toBe(true)
  })

  it('reads prompt tokens written to the cache, where the model reports them', () => {
    expect(
      normalizeOpenAiUsage({
        input_tokens: 100_000,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 80_000 },
        output_tokens: 1_000,
      }),
    ).toEqual({ inputTokens: 100_000, outputTokens: 1_000, cacheWriteInputTokens: 80_000 })
    expect(
      normalizeOpenAiUsage({
        prompt_tokens: 5_000,
        prompt_tokens_details: { cached_tokens: 1_000, cache_write_tokens: 3_000 },
        completion_tokens: 10,
      }),
    ).toEqual({
      inputTokens: 5_000,
      outputTokens: 10,
      cacheReadInputTokens: 1_000,
      cacheWriteInputTokens: 3_000,
    })
  })

  it('reads embeddings usage as input only', () => {
    expect(normalizeOpenAiUsage(embedding.usage)).toEqual({ inputTokens: 8, outputTokens: 0 })
  })

  it('treats missing, null and malformed counts as zero instead of throwing', () => {
    expect(normalizeOpenAiUsage({})).toEqual({ inputTokens: 0, outputTokens: 0 })
    expect(
      normalizeOpenAiUsage({
        prompt_tokens: null,
        completion_tokens: -3,
        prompt_tokens_details: null,
        completion_tokens_details: { reasoning_tokens: 1.5 },
      }),
    ).toEqual({ inputTokens: 0, outputTokens: 0 })
  })

  it('grows a whole by a part reported outside it, so the usage is never refused', () => {
    // xAI counts reasoning outside completion_tokens; some gateways report cached tokens beyond the prompt.
    const reasoningOutside = normalizeOpenAiUsage({
      prompt_tokens: 10,
      completion_tokens: 100,
      completion_tokens_details: { reasoning_tokens: 300 },
    })
    expect(reasoningOutside).toEqual({ inputTokens: 10, outputTokens: 400, reasoningTokens: 300 })
    const cachedOutside = normalizeOpenAiUsage({
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 20, cache_write_tokens: 5, audio_tokens: 40 },
      output_tokens: 1,
    })
    expect(cachedOutside).toEqual({
      inputTokens: 75,
      outputTokens: 1,
      cacheReadInputTokens: 20,
      cacheWriteInputTokens: 5,
      inputAudioTokens: 40,
    })
    for (const usage of [reasoningOutside, cachedOutside]) {
      expect(usageBucketsSchema.safeParse(usage).success).toBe(true)
    }
  })

  it('caps corrupt counts at the largest a bucket holds, every part within its whole', () => {
    const usage = normalizeOpenAiUsage({
      prompt_tokens: 2 ** 40,
      prompt_tokens_details: { cached_tokens: 2 ** 41, cache_write_tokens: 2 ** 41 },
      completion_tokens: 5,
      completion_tokens_details: { reasoning_tokens: 2 ** 50 },
    })
    expect(usage).toEqual({
      inputTokens: MAX_TOKENS_PER_BUCKET,
      outputTokens: MAX_TOKENS_PER_BUCKET,
      cacheReadInputTokens: MAX_TOKENS_PER_BUCKET,
      cacheWriteInputTokens: 0,
      reasoningTokens: MAX_TOKENS_PER_BUCKET,
    })
    expect(usageBucketsSchema.safeParse(usage).success).toBe(true)
    expect(normalizeOpenAiUsage('usage' as never)).toEqual({ inputTokens: 0, outputTokens: 0 })
  })
})
