import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareDecimals, parseDecimal } from '../money/decimal.ts'
import { sumUsd } from '../money/usd.ts'
import type { UsageBuckets } from '../usage/usage-buckets.ts'
import { computeCost } from './compute-cost.ts'
import type { ComputeCostInput, PriceOverride } from './cost-types.ts'
import { usageArbitrary } from './test-support/usage-arbitrary.ts'

const TIMESTAMP = '2026-11-20T12:00:00Z'

// Catalogue models covering every pricing feature: long-context tiers (Gemini, Claude, GPT-5.4),
// cache writes, audio rates, a price change, and genai-prices estimates.
const MODELS: ReadonlyArray<Pick<ComputeCostInput, 'provider' | 'model'>> = [
  { provider: 'openai', model: 'gpt-4o-mini' },
  { provider: 'openai', model: 'gpt-5.4' },
  { provider: 'openai', model: 'gpt-6-astra' },
  { provider: 'anthropic', model: 'claude-sonnet-4-5' },
  { provider: 'anthropic', model: 'claude-haiku-5-5' },
  { provider: 'google', model: 'gemini-2.5-pro' },
  { provider: 'google', model: 'gemini-2.0-flash' },
  { provider: 'vertex', model: 'gemini-2.5-flash' },
  { provider: 'mistral', model: 'mistral-large-latest' },
  { provider: 'custom', model: 'every-bucket' },
]

// A project price with a distinct rate for every bucket, so every carve-out is exercised.
const EVERY_BUCKET: PriceOverride = {
  id: 'every-bucket',
  provider: 'custom',
  model: 'every-bucket',
  effectiveFrom: '2026-01-01',
  prices: {
    input: '1.1',
    cacheRead: '0.11',
    cacheWrite: '1.375',
    cacheWrite1h: '2.2',
    inputAudio: '3.3',
    inputImage: '0.7',
    output: '4.4',
    reasoning: '5.5',
    outputAudio: '8.8',
    outputImage: '30',
  },
  longContext: [{ aboveInputTokens: 150_000, prices: { input: '2.2', output: '6.6' } }],
  serviceTiers: { batch: { multiplier: '0.5' } },
}

// Mostly small counts, so that growing a bucket often carries a prompt across a long-context line.
const count = fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 90_000 }))

const usage = usageArbitrary(count)

type Growth = 'input' | 'output' | keyof Omit<UsageBuckets, 'inputTokens' | 'outputTokens'>
const GROWTHS: readonly Growth[] = [
  'input',
  'cacheReadInputTokens',
  'cacheWriteInputTokens',
  'cacheWrite1hInputTokens',
  'inputAudioTokens',
  'inputImageTokens',
  'output',
  'reasoningTokens',
  'outputAudioTokens',
  'outputImageTokens',
]
const OUTPUT_PARTS: ReadonlySet<Growth> = new Set([
  'reasoningTokens',
  'outputAudioTokens',
  'outputImageTokens',
])

// More tokens in a bucket means more tokens in its whole too: a part never grows alone.
function grow(usage: UsageBuckets, bucket: Growth, tokens: number): UsageBuckets {
  if (bucket === 'input') return { ...usage, inputTokens: usage.inputTokens + tokens }
  if (bucket === 'output') return { ...usage, outputTokens: usage.outputTokens + tokens }
  const grown = { ...usage, [bucket]: (usage[bucket] ?? 0) + tokens }
  return OUTPUT_PARTS.has(bucket)
    ? { ...grown, outputTokens: usage.outputTokens + tokens }
    : { ...grown, inputTokens: usage.inputTokens + tokens }
}

function costOf(
  model: Pick<ComputeCostInput, 'provider' | 'model'>,
  usage: UsageBuckets,
  serviceTier: 'standard' | 'batch' | 'flex',
) {
  return computeCost({ ...model, usage, serviceTier, timestamp: TIMESTAMP, overrides: [EVERY_BUCKET] })
}

// Priority is left out on purpose: OpenAI's published priority prices cover short prompts only, and
// can exceed the standard long-context rates a long prompt falls back to, so there the real bill
// does drop at the threshold.
const tierArbitrary = fc.constantFrom('standard', 'batch', 'flex') as fc.Arbitrary<
  'standard' | 'batch' | 'flex'
>

describe('computeCost properties', () => {
  it('never costs less when any bucket grows', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MODELS),
        usage,
        fc.constantFrom(...GROWTHS),
        fc.integer({ min: 1, max: 150_000 }),
        tierArbitrary,
        (model, usage, bucket, tokens, serviceTier) => {
          const before = costOf(model, usage, serviceTier)
          const after = costOf(model, grow(usage, bucket, tokens), serviceTier)
          expect(before.costUsd).not.toBeNull()
          expect(after.costUsd).not.toBeNull()
          expect(
            compareDecimals(parseDecimal(after.costUsd!), parseDecimal(before.costUsd!)),
          ).toBeGreaterThanOrEqual(0)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('returns a breakdown that adds up to the total exactly', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MODELS), usage, tierArbitrary, (model, usage, serviceTier) => {
        const result = costOf(model, usage, serviceTier)
        expect(sumUsd(Object.values(result.breakdown ?? {}))).toBe(result.costUsd)
      }),
      { numRuns: 500 },
    )
  })
})
