import { describe, expect, it } from 'vitest'
import { compareDecimals, parseDecimal } from '../money/decimal.ts'
import type { LongContextTier, TokenPrices } from './cost-types.ts'
import { findGenaiPricesSchedule } from './find-genai-prices-schedule.ts'
import { findPriceEntry } from './find-price-entry.ts'
import { MODEL_CATALOGUE } from './model-catalogue.ts'
import { PRICE_BUCKETS, type PriceSchedule } from './price-usage.ts'

// The day the catalogue was last reconciled with the library. A fixed date keeps the test from
// changing its verdict by itself when a scheduled price change comes into force; move it forward
// (and re-run) when re-checking prices.
const CHECKED_AT = '2026-11-23T00:00:00Z'

/**
 * Where we knowingly differ from `@pydantic/genai-prices` 0.1.8. Each entry must still occur, so
 * the list cannot go stale; fix our data rather than adding to it when we are the ones wrong.
 */
const KNOWN_DIFFERENCES: ReadonlyArray<{ id: string; where: readonly string[]; reason: string }> = [
  {
    id: 'anthropic/claude-sonnet-4',
    where: ['long-context thresholds'],
    reason:
      'The library lacks the >200K-token rates of the Sonnet 4 1M-context window (2x input and cache, ' +
      '1.5x output), which it does carry for Sonnet 4.5; without them long prompts would be under-priced.',
  },
  {
    id: 'anthropic/claude-sonnet-5-5',
    where: ['cacheRead'],
    reason:
      'The library has no Sonnet 5.5 entry: its `claude-sonnet-5` prefix rule prices it as Sonnet 5 and ' +
      'misses the 2026-10-07 cut of Sonnet 5.5 cache reads from $0.20 to $0.10.',
  },
  {
    id: 'google/gemini-1.5-flash-8b',
    where: [
      'input',
      'cacheRead',
      'output',
      'above 128000: input',
      'above 128000: cacheRead',
      'above 128000: output',
    ],
    reason:
      "The library's `gemini-1.5-flash` rule matches any id containing that text, so `gemini-1.5-flash-8b` " +
      'gets 1.5 Flash prices; its own 8B entry (keyed `gemini-flash-1.5-8b`) has the prices we list.',
  },
  {
    id: 'google/gemini-1.5-pro',
    where: ['cacheRead', 'above 128000: cacheRead'],
    reason:
      "The library's `gemini-1.5-pro` entry has no context-caching price, so cached tokens would bill as " +
      'input; its `gemini-pro-1.5` entry carries the same $0.3125 / $0.625 we list.',
  },
  ...[
    'gpt-5.4',
    'gpt-5.4-pro',
    'gpt-5.5',
    'gpt-5.5-pro',
    'gpt-5.6-sol',
    'gpt-5.6-terra',
    'gpt-5.6-luna',
    'gpt-6-astra',
  ].map((model) => ({
    id: `openai/${model}`,
    where: ['long-context thresholds'],
    reason:
      'OpenAI\'s model pages price prompts with ">272K input tokens" (GPT-6: "more than 272K") at the ' +
      'long-context rates, so a prompt of exactly 272,000 tokens is standard; the library starts the tier ' +
      'at 272,000 (above 271,999).',
  })),
  {
    id: 'vertex/gemini-2.0-flash',
    where: ['input', 'cacheRead', 'inputAudio', 'output'],
    reason:
      'The library prices Google with one provider at Gemini API rates; Vertex AI lists Gemini 2.0 Flash ' +
      'at $0.15 / $0.60 (audio $1.00) with a 75% cache discount.',
  },
]

type Bucket = keyof TokenPrices
// The price a bucket is actually billed at, with both sides' fallbacks applied (a missing cache
// price bills as input, a missing 1-hour write as the 5-minute write, and so on).
function billedPrices(prices: Partial<TokenPrices>): Record<Bucket, string | undefined> {
  const cacheWrite = prices.cacheWrite ?? prices.input
  return {
    input: prices.input,
    cacheRead: prices.cacheRead ?? prices.input,
    cacheWrite,
    cacheWrite1h: prices.cacheWrite1h ?? cacheWrite,
    inputAudio: prices.inputAudio ?? prices.input,
    inputImage: prices.inputImage ?? prices.input,
    output: prices.output,
    reasoning: prices.reasoning ?? prices.output,
    outputAudio: prices.outputAudio ?? prices.output,
    outputImage: prices.outputImage ?? prices.output,
  }
}

function sameDecimal(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return compareDecimals(parseDecimal(a), parseDecimal(b)) === 0
}

function pricesAbove(schedule: Pick<PriceSchedule, 'prices' | 'longContext'>, threshold: number) {
  const tier = schedule.longContext?.find((candidate) => candidate.aboveInputTokens === threshold)
  return { ...schedule.prices, ...tier?.prices }
}

function thresholds(tiers: readonly LongContextTier[] | undefined): number[] {
  return (tiers ?? []).map((tier) => tier.aboveInputTokens)
}

interface Difference {
  id: string
  where: string
  ours: string
  theirs: string
}

function compare(id: string, ours: PriceSchedule, theirs: PriceSchedule): Difference[] {
  const differences: Difference[] = []
  const ourThresholds = thresholds(ours.longContext)
  const theirThresholds = thresholds(theirs.longContext)
  if (ourThresholds.join() !== theirThresholds.join()) {
    differences.push({
      id,
      where: 'long-context thresholds',
      ours: ourThresholds.join() || 'none',
      theirs: theirThresholds.join() || 'none',
    })
  }
  for (const threshold of [0, ...ourThresholds.filter((value) => theirThresholds.includes(value))]) {
    const ourListed = threshold === 0 ? ours.prices : pricesAbove(ours, threshold)
    const theirListed = threshold === 0 ? theirs.prices : pricesAbove(theirs, threshold)
    const ourPrices = billedPrices(ourListed)
    const theirPrices = billedPrices(theirListed)
    // Buckets neither side lists are derived from the same parents and would only repeat a difference.
    const listed = PRICE_BUCKETS.filter(
      (bucket) => ourListed[bucket] !== undefined || theirListed[bucket] !== undefined,
    )
    for (const bucket of listed) {
      if (sameDecimal(ourPrices[bucket], theirPrices[bucket])) continue
      differences.push({
        id,
        where: threshold === 0 ? bucket : `above ${threshold}: ${bucket}`,
        ours: ourPrices[bucket] ?? 'none',
        theirs: theirPrices[bucket] ?? 'none',
      })
    }
  }
  return differences
}

describe('catalogue against @pydantic/genai-prices', () => {
  const compared: string[] = []
  const differences: Difference[] = []
  const modelIds = [...new Set(MODEL_CATALOGUE.map((entry) => entry.id))]
  for (const id of modelIds) {
    const sample = MODEL_CATALOGUE.find((entry) => entry.id === id)!
    const ours = findPriceEntry({ provider: sample.provider, model: sample.model, timestamp: CHECKED_AT })!
    const theirs = [ours.model, ...ours.aliases]
      .map((model) =>
        findGenaiPricesSchedule({
          provider: ours.provider,
          model,
          timestampMs: Date.parse(CHECKED_AT),
          usage: { outputTokens: 0 },
        }),
      )
      .find((schedule) => schedule !== undefined)
    if (theirs === undefined) continue
    compared.push(`${id} ↔ ${theirs.id}`)
    differences.push(...compare(id, { ...ours }, theirs))
  }

  it('compares every model both know', () => {
    expect(compared.length).toBeGreaterThan(60)
  })

  it('agrees on every price bucket, apart from the documented differences', () => {
    const isKnown = (difference: Difference) =>
      KNOWN_DIFFERENCES.some((known) => known.id === difference.id && known.where.includes(difference.where))
    expect(differences.filter((difference) => !isKnown(difference))).toEqual([])
  })

  it('keeps the list of known differences honest: each one still occurs', () => {
    const stale = KNOWN_DIFFERENCES.flatMap((known) =>
      known.where
        .filter(
          (where) =>
            !differences.some((difference) => difference.id === known.id && difference.where === where),
        )
        .map((where) => `${known.id}: ${where}`),
    )
    expect(stale).toEqual([])
  })
})
