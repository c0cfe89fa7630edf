import { describe, expect, it } from 'vitest'
import { CoreError } from '../errors/core-error.ts'
import { sumUsd } from '../money/usd.ts'
import cachedAudio from '../usage/__fixtures__/gemini-usage-cached-audio.json' with { type: 'json' }
import { normalizeGeminiUsage } from '../usage/normalize-gemini-usage.ts'
import { computeCost } from './compute-cost.ts'
import type { ComputeCostInput, PriceOverride } from './cost-types.ts'

// Hand-computed expectations are written in micro-dollars (µ$ = $0.000001): tokens × $/M.
const NOW = '2026-11-20T12:00:00Z'

// inputTokens 26,000 = 1,000 uncached + 20,000 read + 3,000 5m write + 2,000 1h write; 800 output.
const EVERY_ANTHROPIC_BUCKET = {
  inputTokens: 26_000,
  cacheReadInputTokens: 20_000,
  cacheWriteInputTokens: 3_000,
  cacheWrite1hInputTokens: 2_000,
  outputTokens: 800,
}

function cost(input: Partial<ComputeCostInput> & Pick<ComputeCostInput, 'provider' | 'model' | 'usage'>) {
  return computeCost({ timestamp: NOW, ...input })
}

describe('computeCost: catalogue prices', () => {
  it('prices OpenAI cached input at the cached rate, inside the prompt tokens', () => {
    // gpt-4o-mini: input $0.15/M, cached $0.075/M, output $0.60/M.
    // 7,952 × 0.15 + 2,048 × 0.075 + 500 × 0.60 = 1,192.8 + 153.6 + 300 = 1,646.4 µ$
    const result = cost({
      provider: 'openai',
      model: 'gpt-4o-mini',
      usage: { inputTokens: 10_000, cacheReadInputTokens: 2_048, outputTokens: 500 },
    })
    expect(result).toEqual({
      costUsd: '0.001646400000',
      costStatus: 'priced',
      breakdown: { input: '0.001192800000', cacheRead: '0.000153600000', output: '0.000300000000' },
      priceEntryId: 'openai/gpt-4o-mini@2024-07-18',
      priceSource: 'catalogue',
    })
  })

  it('prices Anthropic cache reads and 5-minute and 1-hour cache writes separately', () => {
    // claude-sonnet-4-5: input $3, cache read $0.30, 5m write $3.75, 1h write $6, output $15 per M.
    // inputTokens 26,000 = 1,000 uncached + 20,000 read + 3,000 5m write + 2,000 1h write.
    // 1,000 × 3 + 20,000 × 0.30 + 3,000 × 3.75 + 2,000 × 6 + 800 × 15
    //   = 3,000 + 6,000 + 11,250 + 12,000 + 12,000 = 44,250 µ$
    const result = cost({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      usage: EVERY_ANTHROPIC_BUCKET,
    })
    expect(result.costUsd).toBe('0.044250000000')
    expect(result.breakdown).toEqual({
      input: '0.003000000000',
      cacheRead: '0.006000000000',
      cacheWrite: '0.011250000000',
      cacheWrite1h: '0.012000000000',
      output: '0.012000000000',
    })
  })

  it('prices Gemini 2.5 Pro at the base rates up to 200k prompt tokens', () => {
    // inputTokens exactly 200,000 (not above): input $1.25, cached $0.125, output $10.
    // 150,000 × 1.25 + 50,000 × 0.125 + 2,000 × 10 = 187,500 + 6,250 + 20,000 = 213,750 µ$
    const result = cost({
      provider: 'google',
      model: 'gemini-2.5-pro',
      usage: { inputTokens: 200_000, cacheReadInputTokens: 50_000, outputTokens: 2_000 },
    })
    expect(result.costUsd).toBe('0.213750000000')
  })

  it('prices every token of a Gemini 2.5 Pro request above 200k prompt tokens at the long-context rates', () => {
    // inputTokens 200,001: input $2.50, cached $0.25, output $15.
    // 150,001 × 2.5 + 50,000 × 0.25 + 2,000 × 15 = 375,002.5 + 12,500 + 30,000 = 417,502.5 µ$
    const result = cost({
      provider: 'google',
      model: 'gemini-2.5-pro',
      usage: { inputTokens: 200_001, cacheReadInputTokens: 50_000, outputTokens: 2_000 },
    })
    expect(result.costUsd).toBe('0.417502500000')
    expect(result.breakdown).toEqual({
      input: '0.375002500000',
      cacheRead: '0.012500000000',
      output: '0.030000000000',
    })
  })

  it('bills Gemini 2.5 Flash thinking tokens as output', () => {
    // Thoughts are inside outputTokens (3,000, of which 2,500 reasoning); no separate reasoning rate.
    // 1,200 × 0.30 + 3,000 × 2.50 = 360 + 7,500 = 7,860 µ$
    const result = cost({
      provider: 'google',
      model: 'gemini-2.5-flash',
      usage: { inputTokens: 1_200, outputTokens: 3_000, reasoningTokens: 2_500 },
    })
    expect(result.costUsd).toBe('0.007860000000')
    expect(result.breakdown).toEqual({ input: '0.000360000000', output: '0.007500000000' })
  })

  it('bills o-series reasoning tokens at the output rate, inside completion tokens', () => {
    // o4-mini: input $1.10, output $4.40. Output 4,200 includes 4,000 reasoning tokens.
    // 5,000 × 1.1 + 4,200 × 4.4 = 5,500 + 18,480 = 23,980 µ$
    const result = cost({
      provider: 'openai',
      model: 'o4-mini',
      usage: { inputTokens: 5_000, outputTokens: 4_200, reasoningTokens: 4_000 },
    })
    expect(result.costUsd).toBe('0.023980000000')
    expect(result.breakdown).toEqual({ input: '0.005500000000', output: '0.018480000000' })
  })

  it('halves every bucket for the batch tier', () => {
    // The gpt-4o-mini call above at 50%: 1,646.4 / 2 = 823.2 µ$
    const result = cost({
      provider: 'openai',
      model: 'gpt-4o-mini',
      serviceTier: 'batch',
      usage: { inputTokens: 10_000, cacheReadInputTokens: 2_048, outputTokens: 500 },
    })
    expect(result.costUsd).toBe('0.000823200000')
    expect(result.breakdown).toEqual({
      input: '0.000596400000',
      cacheRead: '0.000076800000',
      output: '0.000150000000',
    })
  })

  it('halves Anthropic cache writes and reads in a batch too', () => {
    // claude-haiku-4-5 batch: 1,000 × 0.5 + 4,000 × 0.05 + 2,000 × 0.625 + 100 × 2.5
    //   = 500 + 200 + 1,250 + 250 = 2,200 µ$
    const result = cost({
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
      serviceTier: 'batch',
      usage: {
        inputTokens: 7_000,
        cacheReadInputTokens: 4_000,
        cacheWriteInputTokens: 2_000,
        outputTokens: 100,
      },
    })
    expect(result.costUsd).toBe('0.002200000000')
  })

  it('keeps a single token of a $0.075/M model to the last digit', () => {
    // gemini-2.0-flash-lite input $0.075/M: 1 × 0.075 = 0.075 µ$; batch halves it to 0.0375 µ$.
    const usage = { inputTokens: 1, outputTokens: 0 }
    expect(cost({ provider: 'google', model: 'gemini-2.0-flash-lite', usage }).costUsd).toBe('0.000000075000')
    expect(
      cost({ provider: 'google', model: 'gemini-2.0-flash-lite', usage, serviceTier: 'batch' }).costUsd,
    ).toBe('0.000000037500')
  })

  it('applies the Claude Sonnet 4 1M-context rates to the whole request above 200k prompt tokens', () => {
    // Above 200k: input $6, cache read $0.60, output $22.50.
    // 150,000 × 6 + 100,000 × 0.6 + 1,000 × 22.5 = 900,000 + 60,000 + 22,500 = 982,500 µ$
    const result = cost({
      provider: 'anthropic',
      model: 'claude-sonnet-4-20250514',
      usage: { inputTokens: 250_000, cacheReadInputTokens: 100_000, outputTokens: 1_000 },
    })
    expect(result.costUsd).toBe('0.982500000000')
  })

  it('prices Claude Haiku 5.5 by prompt length, cache reads and writes included', () => {
    // 90,000 input + 20,000 cache read = 110,000 > 100,000, so the higher card applies:
    // 90,000 × 0.50 + 20,000 × 0.05 + 1,000 × 2.50 = 45,000 + 1,000 + 2,500 = 48,500 µ$
    const long = cost({
      provider: 'anthropic',
      model: 'claude-haiku-5-5',
      usage: { inputTokens: 110_000, cacheReadInputTokens: 20_000, outputTokens: 1_000 },
    })
    expect(long.costUsd).toBe('0.048500000000')
    // 80,000 + 20,000 = 100,000, not over the line: 80,000 × 0.10 + 20,000 × 0.01 + 1,000 × 0.50
    //   = 8,000 + 200 + 500 = 8,700 µ$
    const short = cost({
      provider: 'anthropic',
      model: 'claude-haiku-5-5',
      usage: { inputTokens: 100_000, cacheReadInputTokens: 20_000, outputTokens: 1_000 },
    })
    expect(short.costUsd).toBe('0.008700000000')
  })

  it('prices GPT-6.1 Terra cache reads, 30-minute cache writes and output', () => {
    // Input $1, cached $0.05, cache write $1.25, output $5.
    // 30,000 × 1 + 60,000 × 0.05 + 10,000 × 1.25 + 5,000 × 5 = 30,000 + 3,000 + 12,500 + 25,000 = 70,500 µ$
    const usage = {
      inputTokens: 100_000,
      cacheReadInputTokens: 60_000,
      cacheWriteInputTokens: 10_000,
      outputTokens: 5_000,
    }
    const result = cost({ provider: 'openai', model: 'gpt-6.1-terra', usage })
    expect(result).toMatchObject({
      costUsd: '0.070500000000',
      priceEntryId: 'openai/gpt-6.1-terra@2026-10-26',
    })
    expect(result.breakdown).toEqual({
      input: '0.030000000000',
      cacheRead: '0.003000000000',
      cacheWrite: '0.012500000000',
      output: '0.025000000000',
    })
    // Batch and flex are half: 35,250 µ$.
    for (const serviceTier of ['batch', 'flex'] as const) {
      expect(cost({ provider: 'openai', model: 'gpt-6.1-terra', usage, serviceTier }).costUsd).toBe(
        '0.035250000000',
      )
    }
  })

  it('prices GPT-6.1 Terra 12-hour cache writes, reported as long-retention writes, at $2.50', () => {
    // 10,000 × 1 + 100,000 × 2.50 + 1,000 × 5 = 10,000 + 250,000 + 5,000 = 265,000 µ$
    const usage = { inputTokens: 110_000, cacheWrite1hInputTokens: 100_000, outputTokens: 1_000 }
    const result = cost({ provider: 'openai', model: 'gpt-6.1-terra', usage })
    expect(result.costUsd).toBe('0.265000000000')
    expect(result.breakdown).toMatchObject({ cacheWrite1h: '0.250000000000' })
    // Above 272K, at twice that: 280,000 × $5 + 10,000 × $2 = 1,400,000 + 20,000 = 1,420,000 µ$
    const long = cost({
      provider: 'openai',
      model: 'gpt-6.1-terra',
      usage: { inputTokens: 290_000, cacheWrite1hInputTokens: 280_000, outputTokens: 0 },
    })
    expect(long.costUsd).toBe('1.420000000000')
  })

  it('bills GPT-6.1 Terra prompts of more than 272K at 2x input and cache, 1.5x output, and Fast at 2x that', () => {
    // 272,000 × $1 = 272,000 µ$; 272,001 × $2 = 544,002 µ$
    const at = cost({
      provider: 'openai',
      model: 'gpt-6.1-terra',
      usage: { inputTokens: 272_000, outputTokens: 0 },
    })
    expect(at.costUsd).toBe('0.272000000000')
    // 272,001 prompt tokens, 100,000 of them cached, at $2 / $0.10 / $7.50:
    // 172,001 × 2 + 100,000 × 0.10 + 1,000 × 7.50 = 344,002 + 10,000 + 7,500 = 361,502 µ$
    const long = cost({
      provider: 'openai',
      model: 'gpt-6.1-terra',
      usage: { inputTokens: 272_001, cacheReadInputTokens: 100_000, outputTokens: 1_000 },
    })
    expect(long.costUsd).toBe('0.361502000000')
    // Fast above 272K: $4 input, $15 output. 300,000 × 4 + 1,000 × 15 = 1,200,000 + 15,000 = 1,215,000 µ$
    const fast = cost({
      provider: 'openai',
      model: 'gpt-6.1-terra',
      serviceTier: 'priority',
      usage: { inputTokens: 300_000, outputTokens: 1_000 },
    })
    expect(fast.costUsd).toBe('1.215000000000')
  })

  it('prices Gemini 4 Argon at one rate whatever the prompt length, thinking billed as output', () => {
    // Introductory $2 input, $0.10 cached, $10 output; 1,500 of the 2,000 output tokens are thoughts.
    // 6,000 × 2 + 4,000 × 0.10 + 2,000 × 10 = 12,000 + 400 + 20,000 = 32,400 µ$
    const result = cost({
      provider: 'google',
      model: 'gemini-4-argon',
      usage: {
        inputTokens: 10_000,
        cacheReadInputTokens: 4_000,
        outputTokens: 2_000,
        reasoningTokens: 1_500,
      },
    })
    expect(result).toMatchObject({
      costUsd: '0.032400000000',
      priceEntryId: 'google/gemini-4-argon@2026-10-13',
    })
    // No >200k tier: 300,000 × 2 = 600,000 µ$
    const long = cost({
      provider: 'google',
      model: 'gemini-4-argon',
      usage: { inputTokens: 300_000, outputTokens: 0 },
    })
    expect(long.costUsd).toBe('0.600000000000')
  })

  it('bills Gemini 3.5 Flash-Lite audio input at its one input price', () => {
    // $0.30 for text, image, video and audio; $2.50 output.
    // 10,000 × 0.30 + 1,000 × 2.50 = 3,000 + 2,500 = 5,500 µ$
    const result = cost({
      provider: 'google',
      model: 'gemini-3.5-flash-lite',
      usage: { inputTokens: 10_000, inputAudioTokens: 4_000, outputTokens: 1_000 },
    })
    expect(result.costUsd).toBe('0.005500000000')
    expect(result.breakdown).toEqual({ input: '0.003000000000', output: '0.002500000000' })
  })

  it('bills cached audio as a cache read, not uncached text at the audio rate', () => {
    // gemini-2.5-flash: 2,000 uncached text at $0.30, 10,000 cached (audio, at the text cache
    // price) at $0.03, 100 output at $2.50: 600 + 300 + 250 = 1,150 µ$.
    const result = cost({
      provider: 'google',
      model: 'gemini-2.5-flash',
      usage: normalizeGeminiUsage(cachedAudio),
    })
    expect(result.costUsd).toBe('0.001150000000')
  })

  it('bills audio input at its own rate where the model has one', () => {
    // gemini-2.0-flash: text $0.10, audio $0.70, output $0.40.
    // (10,000 − 4,000) × 0.10 + 4,000 × 0.70 + 100 × 0.40 = 600 + 2,800 + 40 = 3,440 µ$
    const result = cost({
      provider: 'google',
      model: 'gemini-2.0-flash',
      usage: { inputTokens: 10_000, inputAudioTokens: 4_000, outputTokens: 100 },
    })
    expect(result.costUsd).toBe('0.003440000000')
    expect(result.breakdown).toEqual({
      input: '0.000600000000',
      inputAudio: '0.002800000000',
      output: '0.000040000000',
    })
  })
})

describe('computeCost: service tiers', () => {
  const usage = { inputTokens: 10_000, cacheReadInputTokens: 2_000, outputTokens: 1_000 }

  it('bills Ultrafast at its published multiple, dated, and at standard where none is published', () => {
    // GPT-6 Astra standard: $10 input, $1 cached, $50 output.
    // 8,000 × 10 + 2,000 × 1 + 1,000 × 50 = 80,000 + 2,000 + 50,000 = 132,000 µ$; Ultrafast 6x = 792,000 µ$
    const astra = { provider: 'openai', model: 'gpt-6-astra', usage } as const
    expect(cost(astra).costUsd).toBe('0.132000000000')
    expect(cost({ ...astra, serviceTier: 'ultrafast' }).costUsd).toBe('0.792000000000')
    // Above 272K Astra's Ultrafast, like its Fast, keeps the standard long-context rates ($20 input, $75
    // output): 300,000 × 20 + 1,000 × 75 = 6,075,000 µ$.
    const longPrompt = { inputTokens: 300_000, outputTokens: 1_000 }
    expect(cost({ ...astra, usage: longPrompt, serviceTier: 'ultrafast' }).costUsd).toBe('6.075000000000')

    // GPT-6.1 Sol: $2 / $0.10 / $10 → 16,000 + 200 + 10,000 = 26,200 µ$; 6x = 157,200 µ$. Above 272K, 6x
    // the long-context rates ($4 input, $15 output): (1,200,000 + 15,000) × 6 = 7,290,000 µ$.
    const sol = { provider: 'openai', model: 'gpt-6.1-sol', serviceTier: 'ultrafast' } as const
    expect(cost({ ...sol, usage }).costUsd).toBe('0.157200000000')
    expect(cost({ ...sol, usage: longPrompt }).costUsd).toBe('7.290000000000')

    // GPT-6.2 Sol: the same 26,200 µ$ at standard; Ultrafast 3x until 2027-02-28, 6x from 2027-03-01.
    const sol62 = { provider: 'openai', model: 'gpt-6.2-sol', usage, serviceTier: 'ultrafast' } as const
    expect(cost({ ...sol62, timestamp: '2027-02-28T23:59:59.999Z' })).toMatchObject({
      costUsd: '0.078600000000',
      priceEntryId: 'openai/gpt-6.2-sol@2026-11-17',
    })
    expect(cost({ ...sol62, timestamp: '2027-03-01T00:00:00Z' })).toMatchObject({
      costUsd: '0.157200000000',
      priceEntryId: 'openai/gpt-6.2-sol@2027-03-01',
    })
    expect(cost({ ...sol62, serviceTier: 'standard', timestamp: '2027-03-01T00:00:00Z' }).costUsd).toBe(
      '0.026200000000',
    )

    // No published Ultrafast price (GPT-6 Sol): standard rates, 16,000 + 400 + 10,000 = 26,400 µ$.
    expect(cost({ provider: 'openai', model: 'gpt-6-sol', usage, serviceTier: 'ultrafast' }).costUsd).toBe(
      '0.026400000000',
    )
  })

  it.each([
    // 6x $5 / $25 = $30 / $150: 1,000 × 30 + 1,000 × 150 = 180,000 µ$
    ['claude-opus-4-6', '0.180000000000'],
    ['claude-opus-4-7', '0.180000000000'],
    // 2x $5 / $25 = $10 / $50: 1,000 × 10 + 1,000 × 50 = 60,000 µ$
    ['claude-opus-4-8', '0.060000000000'],
    ['claude-opus-5', '0.060000000000'],
    // 2x $4 / $20 = $8 / $40: 1,000 × 8 + 1,000 × 40 = 48,000 µ$
    ['claude-opus-5-5', '0.048000000000'],
    // 2x $8 / $40 = $16 / $80: 1,000 × 16 + 1,000 × 80 = 96,000 µ$
    ['claude-fable-5-2', '0.096000000000'],
  ])('bills Anthropic fast mode on %s at its multiple of the standard rates', (model, expected) => {
    const fast = cost({
      provider: 'anthropic',
      model,
      usage: { inputTokens: 1_000, outputTokens: 1_000 },
      serviceTier: 'fast',
    })
    expect(fast).toMatchObject({ costUsd: expected, costStatus: 'priced', priceSource: 'catalogue' })
  })

  it('bills Anthropic fast mode at 6x on Opus 4.6, cache reads included, and keeps batch at half', () => {
    // claude-opus-4-6 standard: $5 input, $0.50 cache read, $25 output.
    // 8,000 × 5 + 2,000 × 0.50 + 1,000 × 25 = 40,000 + 1,000 + 25,000 = 66,000 µ$; fast 6x = 396,000 µ$
    const opus = { provider: 'anthropic', model: 'claude-opus-4-6', usage } as const
    expect(cost(opus).costUsd).toBe('0.066000000000')
    expect(cost({ ...opus, serviceTier: 'fast' }).costUsd).toBe('0.396000000000')
    expect(cost({ ...opus, serviceTier: 'batch' }).costUsd).toBe('0.033000000000')
  })

  it('multiplies every Anthropic cache bucket in fast mode (Opus 5.5: cache hits $0.40)', () => {
    // claude-opus-5-5 fast, 2x: input $8, cache read $0.40, 5m write $10, 1h write $16, output $40.
    // inputTokens 26,000 = 1,000 uncached + 20,000 read + 3,000 5m write + 2,000 1h write.
    // 1,000 × 8 + 20,000 × 0.40 + 3,000 × 10 + 2,000 × 16 + 800 × 40
    //   = 8,000 + 8,000 + 30,000 + 32,000 + 32,000 = 110,000 µ$
    const result = cost({
      provider: 'anthropic',
      model: 'claude-opus-5-5',
      serviceTier: 'fast',
      usage: EVERY_ANTHROPIC_BUCKET,
    })
    expect(result.costUsd).toBe('0.110000000000')
    expect(result.breakdown).toEqual({
      input: '0.008000000000',
      cacheRead: '0.008000000000',
      cacheWrite: '0.030000000000',
      cacheWrite1h: '0.032000000000',
      output: '0.032000000000',
    })
  })

  it('bills Anthropic fast mode at 6x the long-context rates of Opus 4.6 above 200k, before they ended', () => {
    // claude-opus-4-6 before 2026-03-13 above 200k prompt tokens: $10 input, $37.50 output; fast 6x
    // "across the full context window": $60 / $225.
    // 250,000 × 60 + 1,000 × 225 = 15,000,000 + 225,000 = 15,225,000 µ$
    const long = { inputTokens: 250_000, outputTokens: 1_000 }
    const opus = {
      provider: 'anthropic',
      model: 'claude-opus-4-6',
      usage: long,
      serviceTier: 'fast',
    } as const
    expect(cost({ ...opus, timestamp: '2026-02-20T12:00:00Z' })).toMatchObject({
      costUsd: '15.225000000000',
      priceEntryId: 'anthropic/claude-opus-4-6@2026-02-05',
    })
    // At 200,000 tokens the standard rates, 6x: 200,000 × 30 + 1,000 × 150 = 6,150,000 µ$.
    expect(
      cost({ ...opus, usage: { ...long, inputTokens: 200_000 }, timestamp: '2026-02-20T12:00:00Z' }).costUsd,
    ).toBe('6.150000000000')
    // From 2026-03-13 the 1M window is flat-priced: 250,000 × 30 + 1,000 × 150 = 7,650,000 µ$.
    expect(cost(opus).costUsd).toBe('7.650000000000')
  })

  it('uses the published priority prices', () => {
    // gpt-5 priority: input $2.50, cached $0.25, output $20.
    // 8,000 × 2.5 + 2,000 × 0.25 + 1,000 × 20 = 20,000 + 500 + 20,000 = 40,500 µ$
    expect(cost({ provider: 'openai', model: 'gpt-5', usage, serviceTier: 'priority' }).costUsd).toBe(
      '0.040500000000',
    )
  })

  it('halves prices for flex where OpenAI offers it', () => {
    // gpt-5 flex: 8,000 × 0.625 + 2,000 × 0.0625 + 1,000 × 5 = 5,000 + 125 + 5,000 = 10,125 µ$
    expect(cost({ provider: 'openai', model: 'gpt-5', usage, serviceTier: 'flex' }).costUsd).toBe(
      '0.010125000000',
    )
  })

  it('keeps standard long-context rates for priority, which excludes long context', () => {
    // gpt-5.4 with 300,000 prompt tokens: long-context input $5, output $22.50 (not priority's $30).
    // 300,000 × 5 + 1,000 × 22.5 = 1,500,000 + 22,500 = 1,522,500 µ$
    const result = cost({
      provider: 'openai',
      model: 'gpt-5.4',
      serviceTier: 'priority',
      usage: { inputTokens: 300_000, outputTokens: 1_000 },
    })
    expect(result.costUsd).toBe('1.522500000000')
  })

  it('halves long-context rates in a batch', () => {
    // gpt-5.4 batch above 272K: 300,000 × 2.5 + 1,000 × 11.25 = 750,000 + 11,250 = 761,250 µ$
    const result = cost({
      provider: 'openai',
      model: 'gpt-5.4',
      serviceTier: 'batch',
      usage: { inputTokens: 300_000, outputTokens: 1_000 },
    })
    expect(result.costUsd).toBe('0.761250000000')
  })

  it('starts the GPT-5.6 long-context rates above 272,000 prompt tokens (">272K")', () => {
    // gpt-5.6-terra: 272,000 × $2 = 544,000 µ$; 272,001 × $4 = 1,088,004 µ$
    const at = cost({
      provider: 'openai',
      model: 'gpt-5.6-terra',
      usage: { inputTokens: 272_000, outputTokens: 0 },
    })
    const above = cost({
      provider: 'openai',
      model: 'gpt-5.6-terra',
      usage: { inputTokens: 272_001, outputTokens: 0 },
    })
    expect(at.costUsd).toBe('0.544000000000')
    expect(above.costUsd).toBe('1.088004000000')
  })

  it.each([
    // At 272,000 the standard input price, above it the long-context one, for the whole prompt.
    // 272,000 × $2.50 = 680,000 µ$; 272,001 × $5.00 = 1,360,005 µ$
    ['gpt-5.4', '0.680000000000', '1.360005000000'],
    // 272,000 × $30 = 8,160,000 µ$; 272,001 × $60 = 16,320,060 µ$
    ['gpt-5.4-pro', '8.160000000000', '16.320060000000'],
    // 272,000 × $5 = 1,360,000 µ$; 272,001 × $10 = 2,720,010 µ$
    ['gpt-5.5', '1.360000000000', '2.720010000000'],
    // 272,000 × $30 = 8,160,000 µ$; 272,001 × $60 = 16,320,060 µ$
    ['gpt-5.5-pro', '8.160000000000', '16.320060000000'],
    // 272,000 × $10 = 2,720,000 µ$; 272,001 × $20 = 5,440,020 µ$
    ['gpt-6-astra', '2.720000000000', '5.440020000000'],
  ])('starts the %s long-context rates above 272,000 prompt tokens (">272K")', (model, at, above) => {
    const usage = (inputTokens: number) => ({ inputTokens, outputTokens: 0 })
    expect(cost({ provider: 'openai', model, usage: usage(272_000) }).costUsd).toBe(at)
    expect(cost({ provider: 'openai', model, usage: usage(272_001) }).costUsd).toBe(above)
  })

  it('multiplies by a published priority factor', () => {
    // gemini-3.8-flash priority 1.8x: 10,000 × 1.35 + 1,000 × 6.75 = 13,500 + 6,750 = 20,250 µ$
    const result = cost({
      provider: 'google',
      model: 'gemini-3.8-flash',
      serviceTier: 'priority',
      usage: { inputTokens: 10_000, outputTokens: 1_000 },
    })
    expect(result.costUsd).toBe('0.020250000000')
  })

  it('bills OpenAI Fast mode at 2x on GPT-5.6, long-context rates included', () => {
    // gpt-5.6-luna Fast: $0.40 input, $0.04 cached, $2.40 output (2x $0.20 / $0.02 / $1.20).
    // 8,000 × 0.40 + 2,000 × 0.04 + 1,000 × 2.40 = 3,200 + 80 + 2,400 = 5,680 µ$
    expect(cost({ provider: 'openai', model: 'gpt-5.6-luna', usage, serviceTier: 'priority' }).costUsd).toBe(
      '0.005680000000',
    )
    // gpt-5.6-sol Fast above 272K: 2x the long-context $8 / $30, as the Fast mode page lists ($16 / $60).
    // 300,000 × 16 + 1,000 × 60 = 4,800,000 + 60,000 = 4,860,000 µ$
    const long = cost({
      provider: 'openai',
      model: 'gpt-5.6-sol',
      serviceTier: 'priority',
      usage: { inputTokens: 300_000, outputTokens: 1_000 },
    })
    expect(long.costUsd).toBe('4.860000000000')
  })

  it("bills an OpenAI call sent as `fast`, OpenAI's own name for Fast mode, as priority", () => {
    // A client or gateway forwarding OpenAI's `service_tier: "fast"` must not be billed standard rates.
    // gpt-5: the published priority prices, 40,500 µ$ (above); gpt-5.6-luna: 2x, 5,680 µ$.
    for (const [model, expected] of [
      ['gpt-5', '0.040500000000'],
      ['gpt-5.6-luna', '0.005680000000'],
    ]) {
      const fast = cost({ provider: 'openai', model: model!, usage, serviceTier: 'fast' })
      expect(fast, model).toMatchObject({ costUsd: expected, priceSource: 'catalogue' })
    }
    // gpt-5.6-sol above 272K: 2x the long-context $8 / $30, as priority: 4,860,000 µ$.
    const long = { inputTokens: 300_000, outputTokens: 1_000 }
    expect(cost({ provider: 'openai', model: 'gpt-5.6-sol', usage: long, serviceTier: 'fast' }).costUsd).toBe(
      '4.860000000000',
    )
    // An override's priority rate applies the same way: 8,000 × 2 + 2,000 × 2 + 1,000 × 4 = 24,000 µ$.
    const override: PriceOverride = {
      id: 'with-priority',
      provider: 'openai',
      model: 'gpt-5',
      effectiveFrom: '2026-01-01',
      prices: { input: '1', output: '2' },
      serviceTiers: { priority: { multiplier: '2' } },
    }
    expect(
      cost({ provider: 'openai', model: 'gpt-5', usage, serviceTier: 'fast', overrides: [override] }).costUsd,
    ).toBe('0.024000000000')
  })

  it('bills GPT-6 Fast mode at 2x the applicable rate, long context included', () => {
    // gpt-6-sol above 272K: input $4, output $15; Fast doubles them to $8 / $30.
    // 300,000 × 8 + 1,000 × 30 = 2,400,000 + 30,000 = 2,430,000 µ$
    const result = cost({
      provider: 'openai',
      model: 'gpt-6-sol',
      serviceTier: 'priority',
      usage: { inputTokens: 300_000, outputTokens: 1_000 },
    })
    expect(result.costUsd).toBe('2.430000000000')
  })

  it('bills flex on GPT-6.2 at standard rates: only Batch and Fast are offered', () => {
    const standard = cost({ provider: 'openai', model: 'gpt-6.2-sol', usage })
    const flex = cost({ provider: 'openai', model: 'gpt-6.2-sol', usage, serviceTier: 'flex' })
    const batch = cost({ provider: 'openai', model: 'gpt-6.2-sol', usage, serviceTier: 'batch' })
    // 8,000 × 2 + 2,000 × 0.10 + 1,000 × 10 = 16,000 + 200 + 10,000 = 26,200 µ$; batch half of it.
    expect(standard.costUsd).toBe('0.026200000000')
    expect(flex.costUsd).toBe(standard.costUsd)
    expect(batch.costUsd).toBe('0.013100000000')
  })

  it('halves Gemini flex, long-context rates included', () => {
    // gemini-2.5-pro above 200k: $2.50 / $15, flex halves them to $1.25 / $7.50.
    // 250,000 × 1.25 + 1,000 × 7.5 = 312,500 + 7,500 = 320,000 µ$
    const result = cost({
      provider: 'google',
      model: 'gemini-2.5-pro',
      serviceTier: 'flex',
      usage: { inputTokens: 250_000, outputTokens: 1_000 },
    })
    expect(result.costUsd).toBe('0.320000000000')
  })

  it('bills Gemini priority at standard rates where no exact priority price is published', () => {
    const standard = cost({ provider: 'google', model: 'gemini-3.1-pro-preview', usage })
    const priority = cost({
      provider: 'google',
      model: 'gemini-3.1-pro-preview',
      usage,
      serviceTier: 'priority',
    })
    expect(priority.costUsd).toBe(standard.costUsd)
  })

  it('bills a tier the model does not publish at standard rates', () => {
    const standard = cost({ provider: 'anthropic', model: 'claude-opus-4-5', usage })
    const flex = cost({ provider: 'anthropic', model: 'claude-opus-4-5', usage, serviceTier: 'flex' })
    expect(flex.costUsd).toBe(standard.costUsd)
    // Opus 4.5 has no fast mode.
    const fast = cost({ provider: 'anthropic', model: 'claude-opus-4-5', usage, serviceTier: 'fast' })
    expect(fast.costUsd).toBe(standard.costUsd)
  })
})

describe('computeCost: model lookup', () => {
  const usage = { inputTokens: 1_000_000, outputTokens: 0 }

  it('resolves a listed dated snapshot to its model', () => {
    // 100,000 × $3 = 300,000 µ$
    const result = cost({
      provider: 'anthropic',
      model: 'claude-sonnet-4-20250514',
      usage: { inputTokens: 100_000, outputTokens: 0 },
    })
    expect(result.priceEntryId).toBe('anthropic/claude-sonnet-4@2025-05-22')
    expect(result.costUsd).toBe('0.300000000000')
  })

  it('resolves an unlisted dated snapshot to its base model', () => {
    expect(cost({ provider: 'openai', model: 'gpt-4.1-mini-2026-01-15', usage }).priceEntryId).toBe(
      'openai/gpt-4.1-mini@2025-04-14',
    )
    expect(cost({ provider: 'anthropic', model: 'claude-opus-4-7-20260416', usage }).priceEntryId).toBe(
      'anthropic/claude-opus-4-7@2026-04-16',
    )
  })

  it('keeps a snapshot that is priced differently from its family', () => {
    // gpt-4o-2024-05-13 is $5/M input; gpt-4o is $2.50/M.
    expect(cost({ provider: 'openai', model: 'gpt-4o-2024-05-13', usage }).costUsd).toBe('5.000000000000')
    expect(cost({ provider: 'openai', model: 'gpt-4o-2024-11-20', usage }).costUsd).toBe('2.500000000000')
  })

  it('matches ids case-insensitively and without the Gemini resource prefix', () => {
    expect(cost({ provider: 'google', model: 'models/gemini-2.5-flash', usage }).priceEntryId).toBe(
      'google/gemini-2.5-flash@2025-06-17',
    )
    expect(cost({ provider: 'OpenAI', model: ' GPT-4o-Mini ', usage }).priceEntryId).toBe(
      'openai/gpt-4o-mini@2024-07-18',
    )
    expect(cost({ provider: 'anthropic', model: 'claude-3-5-sonnet-latest', usage }).priceEntryId).toBe(
      'anthropic/claude-3-5-sonnet@2024-06-20',
    )
  })

  it('keeps Vertex AI prices apart from Gemini API prices', () => {
    // gemini-2.0-flash: $0.15/M on Vertex AI, $0.10/M on the Gemini API.
    expect(cost({ provider: 'vertex', model: 'gemini-2.0-flash', usage }).costUsd).toBe('0.150000000000')
    expect(cost({ provider: 'google', model: 'gemini-2.0-flash', usage }).costUsd).toBe('0.100000000000')
  })
})

describe('computeCost: price dates', () => {
  const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 }

  it('uses the price in force at the time of the call, so a later change leaves history alone', () => {
    // o3: $10 / $40 from launch, $2 / $8 from 2025-06-10.
    const before = cost({ provider: 'openai', model: 'o3', usage, timestamp: '2025-06-09T23:59:59Z' })
    const after = cost({ provider: 'openai', model: 'o3', usage, timestamp: '2025-06-10T00:00:00Z' })
    expect(before).toMatchObject({ costUsd: '50.000000000000', priceEntryId: 'openai/o3@2025-04-16' })
    expect(after).toMatchObject({ costUsd: '10.000000000000', priceEntryId: 'openai/o3@2025-06-10' })
  })

  it('prices Claude 3.5 Haiku at its launch price until the cut', () => {
    // $1 / $5 from 2024-11-04, $0.80 / $4 from 2024-12-03: 1M × 1 + 1M × 5 = $6; 1M × 0.80 + 1M × 4 = $4.80.
    const model = { provider: 'anthropic', model: 'claude-3-5-haiku-20241022', usage } as const
    expect(cost({ ...model, timestamp: '2024-11-10T00:00:00Z' })).toMatchObject({
      costUsd: '6.000000000000',
      priceEntryId: 'anthropic/claude-3-5-haiku@2024-11-04',
    })
    expect(cost({ ...model, timestamp: '2024-12-10T00:00:00Z' })).toMatchObject({
      costUsd: '4.800000000000',
      priceEntryId: 'anthropic/claude-3-5-haiku@2024-12-03',
    })
  })

  it('applies a scheduled change only from its date', () => {
    // gemini-3.8-flash: $0.75 / $3.75 through 2026, $1.50 / $7.50 from 2027-01-01.
    const thisYear = cost({
      provider: 'google',
      model: 'gemini-3.8-flash',
      usage,
      timestamp: '2026-12-31T23:00:00Z',
    })
    const nextYear = cost({
      provider: 'google',
      model: 'gemini-3.8-flash',
      usage,
      timestamp: '2027-01-01T00:00:00Z',
    })
    expect(thisYear.costUsd).toBe('4.500000000000')
    expect(nextYear.costUsd).toBe('9.000000000000')
  })

  it('moves Gemini 4 Argon from its introductory price to its list price on 2026-12-01', () => {
    // 1M × $2 + 1M × $10 = $12 through 2026-11-30; 1M × $4 + 1M × $20 = $24 from 2026-12-01.
    const introductory = cost({
      provider: 'google',
      model: 'gemini-4-argon',
      usage,
      timestamp: '2026-11-30T23:59:59Z',
    })
    const list = cost({
      provider: 'google',
      model: 'gemini-4-argon',
      usage,
      timestamp: '2026-12-01T00:00:00Z',
    })
    expect(introductory).toMatchObject({
      costUsd: '12.000000000000',
      priceEntryId: 'google/gemini-4-argon@2026-10-13',
    })
    expect(list).toMatchObject({
      costUsd: '24.000000000000',
      priceEntryId: 'google/gemini-4-argon@2026-12-01',
    })
  })

  it('prices o3 flex at half the launch price from the start', () => {
    // o3 flex before the 2025-06-10 cut: (1M × 10 + 1M × 40) / 2 = $25.
    const flex = cost({
      provider: 'openai',
      model: 'o3',
      usage,
      serviceTier: 'flex',
      timestamp: '2025-05-01T00:00:00Z',
    })
    expect(flex.costUsd).toBe('25.000000000000')
  })

  it('prices the gpt-4o alias as the snapshot it pointed at: 2024-05-13 until 2024-10-02', () => {
    const at = (model: string, timestamp: string) =>
      cost({ provider: 'openai', model, usage, timestamp }).costUsd
    // $5 + $15 while the alias meant gpt-4o-2024-05-13; $2.50 + $10 after, and always for 2024-08-06.
    expect(at('gpt-4o', '2024-09-01T00:00:00Z')).toBe('20.000000000000')
    expect(at('gpt-4o', '2024-10-02T00:00:00Z')).toBe('12.500000000000')
    expect(at('gpt-4o-2024-08-06', '2024-09-01T00:00:00Z')).toBe('12.500000000000')
    expect(at('gpt-4o-2024-11-20', '2025-01-01T00:00:00Z')).toBe('12.500000000000')
  })

  it('prices text-embedding-ada-002 at its launch price until the cut of 2023-06-13', () => {
    const embed = (timestamp: string) =>
      cost({
        provider: 'openai',
        model: 'text-embedding-ada-002',
        usage: { inputTokens: 1_000_000, outputTokens: 0 },
        timestamp,
      })
    // $0.0004 / 1K tokens at launch, $0.0001 / 1K from 2023-06-13.
    expect(embed('2023-03-01T00:00:00Z')).toMatchObject({
      costUsd: '0.400000000000',
      priceEntryId: 'openai/text-embedding-ada-002@2022-12-15',
    })
    expect(embed('2023-06-12T23:59:59.999Z').costUsd).toBe('0.400000000000')
    expect(embed('2023-06-13T00:00:00Z')).toMatchObject({
      costUsd: '0.100000000000',
      priceEntryId: 'openai/text-embedding-ada-002@2023-06-13',
    })
    expect(embed(NOW).costUsd).toBe('0.100000000000')
  })

  it('prices gpt-3.5-turbo and its dated snapshots as they were priced in 2023', () => {
    const at = (model: string, timestamp: string) => {
      const result = cost({ provider: 'openai', model, usage, timestamp })
      return [result.costUsd, result.priceEntryId, result.priceSource]
    }
    // 1M input + 1M output: launch $2 + $2; from 2023-06-13 $1.50 + $2; from 2024-01-25 $0.50 + $1.50.
    expect(at('gpt-3.5-turbo', '2023-04-01T00:00:00Z')).toEqual([
      '4.000000000000',
      'openai/gpt-3.5-turbo@2023-03-01',
      'catalogue',
    ])
    expect(at('gpt-3.5-turbo', '2023-07-01T00:00:00Z')).toEqual([
      '3.500000000000',
      'openai/gpt-3.5-turbo@2023-06-13',
      'catalogue',
    ])
    expect(at('gpt-3.5-turbo', '2023-12-31T23:59:59Z')[0]).toBe('3.500000000000')
    expect(at('gpt-3.5-turbo', '2024-02-01T00:00:00Z')[0]).toBe('2.000000000000')
    expect(at('gpt-3.5-turbo-0301', '2023-04-01T00:00:00Z')).toEqual([
      '4.000000000000',
      'openai/gpt-3.5-turbo-0301@2023-03-01',
      'catalogue',
    ])
    expect(at('gpt-3.5-turbo-0301', '2024-03-01T00:00:00Z')[0]).toBe('3.500000000000')
    expect(at('gpt-3.5-turbo-0613', '2024-03-01T00:00:00Z')).toEqual([
      '3.500000000000',
      'openai/gpt-3.5-turbo-0613@2023-06-13',
      'catalogue',
    ])
    // 16K: $3 + $4; the DevDay snapshot: $1 + $2.
    expect(at('gpt-3.5-turbo-16k-0613', '2023-08-01T00:00:00Z')[0]).toBe('7.000000000000')
    expect(at('gpt-3.5-turbo-1106', '2023-12-01T00:00:00Z')).toEqual([
      '3.000000000000',
      'openai/gpt-3.5-turbo-1106@2023-11-06',
      'catalogue',
    ])
  })

  it('compares call times in UTC whatever their offset', () => {
    // 2025-06-10T01:00+02:00 is 2025-06-09T23:00Z: still the launch price.
    const result = cost({ provider: 'openai', model: 'o3', usage, timestamp: '2025-06-10T01:00:00+02:00' })
    expect(result.priceEntryId).toBe('openai/o3@2025-04-16')
  })

  it('uses the launch price for a call stamped before the launch', () => {
    const result = cost({ provider: 'openai', model: 'o3', usage, timestamp: '2025-01-01T00:00:00Z' })
    expect(result.priceEntryId).toBe('openai/o3@2025-04-16')
  })
})

describe('computeCost: overrides and fallbacks', () => {
  const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 }
  const negotiated: PriceOverride = {
    id: 'override-1',
    provider: 'openai',
    model: 'gpt-4o-mini',
    effectiveFrom: '2026-01-01',
    prices: { input: '0.10', output: '0.40' },
  }

  it('marks a known price on estimated usage as estimated, from the catalogue or an override', () => {
    // gemini-embedding-001: input $0.15/M. 2,000 estimated tokens × 0.15 = 300 µ$.
    const embedding = cost({
      provider: 'google',
      model: 'gemini-embedding-001',
      usage: { inputTokens: 2_000, outputTokens: 0 },
      usageEstimated: true,
    })
    expect(embedding).toMatchObject({
      costUsd: '0.000300000000',
      costStatus: 'estimated',
      priceSource: 'catalogue',
    })
    const overridden = cost({
      provider: 'openai',
      model: 'gpt-4o-mini',
      usage,
      overrides: [negotiated],
      usageEstimated: true,
    })
    expect(overridden).toMatchObject({
      costUsd: '0.500000000000',
      costStatus: 'estimated',
      priceSource: 'override',
    })
    // Estimated usage of a model nobody prices is still unpriced, not $0.
    expect(cost({ provider: 'acme', model: 'unknown-1', usage, usageEstimated: true })).toMatchObject({
      costUsd: null,
      costStatus: 'unpriced',
    })
  })

  it('stays exact where plain-number arithmetic could not be (a huge price and prompt)', () => {
    const extreme: PriceOverride = {
      ...negotiated,
      id: 'extreme',
      prices: { input: '123456789.123', output: '0.4' },
    }
    const result = cost({
      provider: 'openai',
      model: 'gpt-4o-mini',
      usage: { inputTokens: 1_000_000_000, outputTokens: 3 },
      overrides: [extreme],
    })
    // 1e9 × $123,456,789.123 / 1M = $123,456,789,123; 3 × $0.4 / 1M = $0.0000012.
    expect(result.costUsd).toBe('123456789123.000001200000')
    expect(result.breakdown).toEqual({ input: '123456789123.000000000000', output: '0.000001200000' })
  })

  it('prefers a project override over the catalogue', () => {
    // 1M × $0.10 + 1M × $0.40 = $0.50 (the catalogue would say $0.75).
    const result = cost({ provider: 'openai', model: 'gpt-4o-mini', usage, overrides: [negotiated] })
    expect(result).toMatchObject({
      costUsd: '0.500000000000',
      costStatus: 'priced',
      priceEntryId: 'override-1',
      priceSource: 'override',
    })
  })

  it('applies an override to the aliases of its model', () => {
    const result = cost({
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      usage,
      overrides: [negotiated],
    })
    expect(result.priceSource).toBe('override')
  })

  it('does not reach back before the override starts', () => {
    const result = cost({
      provider: 'openai',
      model: 'gpt-4o-mini',
      usage,
      overrides: [negotiated],
      timestamp: '2025-12-31T23:59:59Z',
    })
    expect(result).toMatchObject({ costUsd: '0.750000000000', priceSource: 'catalogue' })
  })

  it('uses the latest override in force', () => {
    const later: PriceOverride = {
      ...negotiated,
      id: 'override-2',
      effectiveFrom: '2026-06-01',
      prices: { input: '0.05', output: '0.20' },
    }
    const result = cost({ provider: 'openai', model: 'gpt-4o-mini', usage, overrides: [later, negotiated] })
    expect(result).toMatchObject({ costUsd: '0.250000000000', priceEntryId: 'override-2' })
  })

  it('picks among overrides for one model and instant by what they say, never by the order listed', () => {
    // A database lists overrides in its collation's order, which differs between PGlite and PostgreSQL.
    const spelled = (id: string, model: string, input: string): PriceOverride => ({
      ...negotiated,
      id,
      model,
      prices: { input, output: '0' },
    })
    const lower = spelled('override-a', 'gpt-4o-mini', '1')
    const upper = spelled('override-b', 'GPT-4o-mini', '2')
    const snapshot = spelled('override-c', 'gpt-4o-mini-2024-07-18', '3')
    const chosen = (model: string, overrides: PriceOverride[]) => {
      const ids = [overrides, [...overrides].reverse()].map(
        (listed) => cost({ provider: 'openai', model, usage, overrides: listed }).priceEntryId,
      )
      expect(ids[0], `${model}: the same override in either order`).toBe(ids[1])
      return ids[0]
    }
    // The override naming the call's model as written wins, then one equal to it but for case.
    expect(chosen('gpt-4o-mini', [lower, upper])).toBe('override-a')
    expect(chosen('GPT-4o-mini', [lower, upper])).toBe('override-b')
    expect(chosen('gpt-4o-mini-2024-07-18', [lower, snapshot])).toBe('override-c')
    expect(chosen('GPT-4O-MINI', [lower, snapshot])).toBe('override-a')
    // Neither is closer: the model id that sorts first by code units ("G" before "g").
    expect(chosen('gpt-4o-mini-2024-07-18', [lower, upper])).toBe('override-b')
    // A later start still wins over a closer spelling.
    const later = { ...upper, id: 'override-d', effectiveFrom: '2026-02-01' }
    expect(chosen('gpt-4o-mini', [lower, later])).toBe('override-d')
  })

  it('prices models the catalogue lacks with an override', () => {
    const ownModel: PriceOverride = {
      id: 'own',
      provider: 'openai',
      model: 'ft:gpt-4o-mini:acme::abc123',
      effectiveFrom: '2026-01-01T00:00:00Z',
      prices: { input: '0.30', output: '1.20' },
    }
    const result = cost({
      provider: 'openai',
      model: 'ft:gpt-4o-mini:acme::abc123',
      usage,
      overrides: [ownModel],
    })
    expect(result).toMatchObject({ costUsd: '1.500000000000', priceSource: 'override' })
  })

  it('bills reasoning at its own rate when the price has one', () => {
    // 1,000 × 1 + 3,000 × 2 (plain output) + 7,000 × 8 (reasoning) = 1,000 + 6,000 + 56,000 = 63,000 µ$
    const withReasoningRate: PriceOverride = {
      ...negotiated,
      prices: { input: '1', output: '2', reasoning: '8' },
    }
    const result = cost({
      provider: 'openai',
      model: 'gpt-4o-mini',
      usage: { inputTokens: 1_000, outputTokens: 10_000, reasoningTokens: 7_000 },
      overrides: [withReasoningRate],
    })
    expect(result.costUsd).toBe('0.063000000000')
    expect(result.breakdown).toEqual({
      input: '0.001000000000',
      output: '0.006000000000',
      reasoning: '0.056000000000',
    })
  })

  it('estimates from @pydantic/genai-prices a model only that library knows', () => {
    // mistral-large there: $2 / $6 per M. 1M × 2 + 1M × 6 = $8.
    const result = cost({ provider: 'mistral', model: 'mistral-large-latest', usage })
    expect(result).toEqual({
      costUsd: '8.000000000000',
      costStatus: 'estimated',
      breakdown: { input: '2.000000000000', output: '6.000000000000' },
      priceEntryId: 'genai-prices:mistral/mistral-large',
      priceSource: 'genai-prices',
    })
  })

  it('keeps the library’s long-context tiers in an estimate', () => {
    // gemini-3.6-flash is not in our catalogue. Its price set in force is recorded in the id.
    const result = cost({
      provider: 'google',
      model: 'gemini-3.6-flash',
      usage: { inputTokens: 1_000, outputTokens: 0 },
    })
    expect(result).toMatchObject({ costStatus: 'estimated', costUsd: '0.000750000000' })
  })

  it('leaves an unknown model unpriced with a null cost, never $0', () => {
    expect(cost({ provider: 'openai', model: 'gpt-unknown-9', usage })).toEqual({
      costUsd: null,
      costStatus: 'unpriced',
      breakdown: null,
      priceEntryId: null,
      priceSource: null,
    })
  })

  it('leaves a fallback-priced OpenAI call with audio tokens unpriced when the data has no audio price', () => {
    const audio = { inputTokens: 1_000, inputAudioTokens: 600, outputTokens: 500, outputAudioTokens: 400 }
    const text = { inputTokens: 1_000, outputTokens: 500 }
    // The library knows gpt-4o-audio-preview's text prices only ($2.50 / $10): its audio, several times
    // dearer, would be billed as text. Text alone: 1,000 × 2.50 + 500 × 10 = 7,500 µ$. Asked twice, so
    // the remembered schedule is checked against each call's buckets too.
    for (let attempt = 0; attempt < 2; attempt++) {
      const model = 'gpt-4o-audio-preview-2024-12-17'
      expect(cost({ provider: 'openai', model, usage: audio })).toMatchObject({
        costStatus: 'unpriced',
        costUsd: null,
      })
      expect(cost({ provider: 'openai', model, usage: text })).toMatchObject({
        costStatus: 'estimated',
        costUsd: '0.007500000000',
      })
    }
    // gpt-audio has audio prices there ($32 / $64): 400 × 2.50 + 600 × 32 + 100 × 10 + 400 × 64
    //   = 1,000 + 19,200 + 1,000 + 25,600 = 46,800 µ$.
    expect(cost({ provider: 'openai', model: 'gpt-audio', usage: audio })).toMatchObject({
      costStatus: 'estimated',
      costUsd: '0.046800000000',
    })
    // A Gemini TTS model's only output is audio, and its output price ($10) is that audio's:
    // 9 × 0.50 + 420 × 10 = 4.5 + 4,200 = 4,204.5 µ$.
    const speech = { inputTokens: 9, outputTokens: 420, outputAudioTokens: 420 }
    expect(cost({ provider: 'google', model: 'gemini-2.5-flash-preview-tts', usage: speech })).toMatchObject({
      costStatus: 'estimated',
      costUsd: '0.004204500000',
    })
  })

  it('remembers a model nobody knows without changing the answer, per provider', () => {
    // The second look-up is answered from the remembered miss; the same id under a provider the
    // library does know is still looked up there.
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(cost({ provider: 'openai', model: 'ft:gpt-unknown-9:acme', usage }).costStatus).toBe('unpriced')
      expect(cost({ provider: 'acme', model: 'mistral-large-latest', usage }).costStatus).toBe('unpriced')
      expect(cost({ provider: 'mistral', model: 'mistral-large-latest', usage }).costStatus).toBe('estimated')
    }
  })

  it('prices a model whose fallback price depends on the time of day by each call’s time, every time', () => {
    // deepseek-chat has an off-peak price set (16:30–00:30 UTC) in the library: not one to remember.
    const million = { inputTokens: 1_000_000, outputTokens: 1_000_000 }
    const at = (timestamp: string) =>
      cost({ provider: 'deepseek', model: 'deepseek-chat', usage: million, timestamp })
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(at('2026-11-20T10:00:00Z').costUsd).toBe('1.370000000000')
      expect(at('2026-11-20T17:00:00Z').costUsd).toBe('0.685000000000')
    }
  })

  it('leaves a model the library lists without token prices unpriced', () => {
    // The library lists Gemma on the Gemini API with no prices at all.
    expect(cost({ provider: 'google', model: 'gemma-3-27b-it', usage }).costStatus).toBe('unpriced')
  })
})

describe('computeCost: input checks', () => {
  it('refuses parts larger than their whole', () => {
    const call = () =>
      cost({
        provider: 'openai',
        model: 'gpt-4o-mini',
        usage: { inputTokens: 10, cacheReadInputTokens: 11, outputTokens: 0 },
      })
    expect(call).toThrow(CoreError)
    expect(call).toThrow(/inputTokens must include cached tokens/)
  })

  it('refuses fractional and negative token counts', () => {
    for (const inputTokens of [1.5, -1]) {
      try {
        cost({ provider: 'openai', model: 'gpt-4o-mini', usage: { inputTokens, outputTokens: 0 } })
        expect.unreachable()
      } catch (error) {
        expect(CoreError.isInstance(error) && error.code).toBe('INVALID_USAGE')
      }
    }
  })

  it('refuses a timestamp without an offset', () => {
    const call = () =>
      cost({
        provider: 'openai',
        model: 'gpt-4o-mini',
        usage: { inputTokens: 1, outputTokens: 1 },
        timestamp: '2026-01-01T10:00:00',
      })
    expect(call).toThrow(/offset/)
  })

  it('refuses a malformed override price instead of guessing', () => {
    const broken: PriceOverride = {
      id: 'broken',
      provider: 'openai',
      model: 'gpt-4o-mini',
      effectiveFrom: '2026-01-01',
      prices: { input: '1e-7', output: '0.40' },
    }
    const call = () =>
      cost({
        provider: 'openai',
        model: 'gpt-4o-mini',
        usage: { inputTokens: 1, outputTokens: 1 },
        overrides: [broken],
      })
    expect(call).toThrow(/input price of price override broken/)
  })

  it('returns a breakdown that adds up to the total', () => {
    const result = cost({
      provider: 'anthropic',
      model: 'claude-opus-4-6',
      usage: {
        inputTokens: 123_457,
        cacheReadInputTokens: 33_333,
        cacheWriteInputTokens: 7_777,
        cacheWrite1hInputTokens: 1_111,
        outputTokens: 9_999,
      },
    })
    expect(sumUsd(Object.values(result.breakdown ?? {}))).toBe(result.costUsd)
  })
})
