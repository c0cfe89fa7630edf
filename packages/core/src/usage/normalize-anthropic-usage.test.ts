import { describe, expect, it } from 'vitest'
import legacyCache from './__fixtures__/anthropic-message-cache-legacy.json' with { type: 'json' }
import cacheSplit from './__fixtures__/anthropic-message-cache-split.json' with { type: 'json' }
import { normalizeAnthropicUsage } from './normalize-anthropic-usage.ts'
import { findUsageProblems } from './usage-buckets.ts'

describe('normalizeAnthropicUsage', () => {
  it('adds cache reads and writes to input and splits 5-minute from 1-hour writes', () => {
    const usage = normalizeAnthropicUsage(cacheSplit.usage)
    expect(usage).toEqual({
      inputTokens: 21 + 12_000 + 3000,
      outputTokens: 393,
      cacheReadInputTokens: 12_000,
      cacheWriteInputTokens: 1000,
      cacheWrite1hInputTokens: 2000,
    })
    expect(findUsageProblems(usage)).toEqual([])
  })

  it('counts every write as 5-minute when the split is absent', () => {
    expect(normalizeAnthropicUsage(legacyCache.usage)).toEqual({
      inputTokens: 14 + 2051,
      outputTokens: 5,
      cacheWriteInputTokens: 2051,
    })
  })

  it('trusts the write total when the split disagrees with it', () => {
    expect(
      normalizeAnthropicUsage({
        input_tokens: 1,
        output_tokens: 1,
        cache_creation_input_tokens: 50,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 80 },
      }),
    ).toEqual({ inputTokens: 51, outputTokens: 1, cacheWrite1hInputTokens: 50 })
  })

  it('derives the write total from the split when only the split is reported', () => {
    expect(
      normalizeAnthropicUsage({
        input_tokens: 3,
        output_tokens: 2,
        cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 20 },
      }),
    ).toEqual({ inputTokens: 33, outputTokens: 2, cacheWriteInputTokens: 10, cacheWrite1hInputTokens: 20 })
  })

  it.each([
    { outputTokens: 900, reasoningTokens: 700 },
    { outputTokens: 90, reasoningTokens: 90 },
  ])(
    'reads thinking tokens as the reasoning part of the output, never more than it ($outputTokens)',
    ({ outputTokens, reasoningTokens }) => {
      const payload = {
        input_tokens: 50,
        output_tokens: outputTokens,
        output_tokens_details: { thinking_tokens: 700 },
      }
      expect(normalizeAnthropicUsage(payload)).toEqual({ inputTokens: 50, outputTokens, reasoningTokens })
    },
  )

  it('adds the tokens of compaction iterations, which the top-level counts leave out', () => {
    expect(
      normalizeAnthropicUsage({
        input_tokens: 2000,
        output_tokens: 500,
        cache_read_input_tokens: 10_000,
        iterations: [
          { type: 'compaction', input_tokens: 150_000, output_tokens: 3000, cache_read_input_tokens: 10_000 },
          { type: 'message', input_tokens: 2000, output_tokens: 500, cache_read_input_tokens: 10_000 },
          {
            type: 'compaction',
            input_tokens: 100,
            output_tokens: 10,
            cache_creation_input_tokens: 40,
            cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 30 },
          },
          null,
        ],
      } as Parameters<typeof normalizeAnthropicUsage>[0]),
    ).toEqual({
      inputTokens: 2000 + 10_000 + 150_000 + 10_000 + 100 + 40,
      outputTokens: 500 + 3000 + 10,
      cacheReadInputTokens: 20_000,
      cacheWriteInputTokens: 10,
      cacheWrite1hInputTokens: 30,
    })
  })

  it('reads a message_start usage with nulls', () => {
    expect(
      normalizeAnthropicUsage({
        input_tokens: 472,
        output_tokens: 1,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: null,
        cache_creation: null,
      }),
    ).toEqual({ inputTokens: 472, outputTokens: 1 })
  })

  it('reads a usage of the wrong shape as no usage instead of throwing', () => {
    expect(normalizeAnthropicUsage(null as never)).toEqual({ inputTokens: 0, outputTokens: 0 })
    expect(
      normalizeAnthropicUsage({
        input_tokens: '12',
        output_tokens: -1,
        cache_read_input_tokens: 1.5,
        cache_creation: 'none',
      } as never),
    ).toEqual({ inputTokens: 0, outputTokens: 0 })
  })
})
