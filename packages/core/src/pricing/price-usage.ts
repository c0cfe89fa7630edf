import { CoreError } from '../errors/core-error.ts'
import type { ServiceTier } from '../events/llm-call-event.ts'
import {
  addDecimals,
  type Decimal,
  decimalFromInteger,
  multiplyDecimals,
  parseDecimal,
  roundDecimal,
  shiftDecimal,
  ZERO,
} from '../money/decimal.ts'
import { formatUsd, USD_FRACTION_DIGITS } from '../money/usd.ts'
import type { UsageBuckets } from '../usage/usage-buckets.ts'
import type { CostBreakdown, LongContextTier, ServiceTierPrices, TokenPrices } from './cost-types.ts'

/** The prices `priceUsage` bills with, whichever source they came from. */
export interface PriceSchedule {
  /** Names the schedule in error messages. */
  id: string
  prices: TokenPrices
  longContext?: readonly LongContextTier[]
  serviceTiers?: ServiceTierPrices
}

/** What `priceUsage` needs. */
export interface PriceUsageOptions {
  schedule: PriceSchedule
  usage: UsageBuckets
  serviceTier?: ServiceTier
}

/** A call's cost and the cost of each bucket, as 12-place USD strings that add up exactly. */
export interface PricedUsage {
  costUsd: string
  breakdown: CostBreakdown
}

type PriceBucket = keyof TokenPrices
type ParsedPrices = Partial<Record<PriceBucket, Decimal>>

const TOKENS_PER_PRICE_UNIT_DIGITS = 6 // prices are per million tokens

function chooseLongContextTier(
  tiers: readonly LongContextTier[] | undefined,
  inputTokens: number,
): LongContextTier | undefined {
  let chosen: LongContextTier | undefined
  for (const tier of tiers ?? []) {
    const applies = inputTokens > tier.aboveInputTokens
    if (applies && (chosen === undefined || tier.aboveInputTokens > chosen.aboveInputTokens)) chosen = tier
  }
  return chosen
}

function definedPrices(prices: Partial<TokenPrices>): Partial<TokenPrices> {
  return Object.fromEntries(Object.entries(prices).filter(([, value]) => value !== undefined))
}

function parsePrice(value: string, label: string): Decimal {
  let parsed: Decimal
  try {
    parsed = parseDecimal(value)
  } catch (error) {
    throw new CoreError('INVALID_PRICE_ENTRY', `${label} is "${value}", not a decimal such as "0.15"`, {
      cause: error,
    })
  }
  if (parsed.coefficient < 0n) throw new CoreError('INVALID_PRICE_ENTRY', `${label} is negative ("${value}")`)
  return parsed
}

// Resolves the prices of this one request: the long-context tier chosen by its prompt size, then
// the service tier's replacement prices or multiplier.
function resolvePrices(
  schedule: PriceSchedule,
  longContextTier: LongContextTier | undefined,
  serviceTier: ServiceTier | undefined,
): ParsedPrices {
  let prices: Partial<TokenPrices> = { ...schedule.prices, ...definedPrices(longContextTier?.prices ?? {}) }
  let multiplier: Decimal | undefined
  const tierPricing =
    serviceTier === undefined || serviceTier === 'standard' ? undefined : schedule.serviceTiers?.[serviceTier]
  if (tierPricing !== undefined && 'prices' in tierPricing) {
    // Published tier prices cover short prompts only; a long prompt keeps its long-context rates.
    if (longContextTier === undefined) prices = { ...tierPricing.prices }
  } else if (tierPricing !== undefined) {
    if (longContextTier === undefined || tierPricing.appliesToLongContext !== false) {
      multiplier = parsePrice(tierPricing.multiplier, `${serviceTier} multiplier of ${schedule.id}`)
    }
  }
  const parsed: ParsedPrices = {}
  for (const [bucket, value] of Object.entries(prices) as Array<[PriceBucket, string | undefined]>) {
    if (value === undefined) continue
    const price = parsePrice(value, `${bucket} price of ${schedule.id}`)
    parsed[bucket] = multiplier === undefined ? price : multiplyDecimals(price, multiplier)
  }
  return parsed
}

// Catalogue entries are long-lived objects and a busy ingest prices the same few models over and
// over: their parsed prices are kept per schedule, long-context tier and service tier.
const resolvedPrices = new WeakMap<PriceSchedule, Map<string, ParsedPrices>>()

function cachedPrices(options: PriceUsageOptions): ParsedPrices {
  const { schedule, usage, serviceTier } = options
  const longContextTier = chooseLongContextTier(schedule.longContext, usage.inputTokens)
  let bySchedule = resolvedPrices.get(schedule)
  if (bySchedule === undefined) {
    bySchedule = new Map()
    resolvedPrices.set(schedule, bySchedule)
  }
  const key = `${longContextTier ? schedule.longContext?.indexOf(longContextTier) : ''}|${serviceTier ?? ''}`
  let prices = bySchedule.get(key)
  if (prices === undefined) {
    prices = resolvePrices(schedule, longContextTier, serviceTier)
    bySchedule.set(key, prices)
  }
  return prices
}

function costOf(tokens: number, pricePerMillion: Decimal): Decimal {
  const exact = shiftDecimal(
    multiplyDecimals(decimalFromInteger(tokens), pricePerMillion),
    TOKENS_PER_PRICE_UNIT_DIGITS,
  )
  return roundDecimal(exact, USD_FRACTION_DIGITS)
}

/**
 * Prices one call's usage. Parts are carved out of their wholes: uncached input is `inputTokens`
 * less cache reads and writes; reasoning, audio and image tokens are billed at their own rate only
 * when the schedule has one, otherwise they stay in `input` / `output`. Each bucket is rounded to
 * 12 places before summing, so the breakdown always adds up to `costUsd` exactly.
 */
export function priceUsage(options: PriceUsageOptions): PricedUsage {
  const { usage } = options
  const prices = cachedPrices(options)
  const input = prices.input
  const output = prices.output
  if (input === undefined || output === undefined) {
    throw new CoreError('INVALID_PRICE_ENTRY', `${options.schedule.id} has no input or output price`)
  }
  // Without a cache price the provider bills cached tokens as ordinary input.
  const cacheWrite = prices.cacheWrite ?? input
  const rates: Record<PriceBucket, Decimal> = {
    input,
    cacheRead: prices.cacheRead ?? input,
    cacheWrite,
    cacheWrite1h: prices.cacheWrite1h ?? cacheWrite,
    inputAudio: prices.inputAudio ?? input,
    inputImage: prices.inputImage ?? input,
    output,
    reasoning: prices.reasoning ?? output,
    outputAudio: prices.outputAudio ?? output,
    outputImage: prices.outputImage ?? output,
  }

  const tokens: Record<PriceBucket, number> = {
    input: 0,
    cacheRead: usage.cacheReadInputTokens ?? 0,
    cacheWrite: usage.cacheWriteInputTokens ?? 0,
    cacheWrite1h: usage.cacheWrite1hInputTokens ?? 0,
    inputAudio: 0,
    inputImage: 0,
    output: 0,
    reasoning: 0,
    outputAudio: 0,
    outputImage: 0,
  }
  let uncachedInput = usage.inputTokens - tokens.cacheRead - tokens.cacheWrite - tokens.cacheWrite1h
  // Modality parts are carved out of the uncached input only: cached audio or image tokens are
  // already billed at the cache rate, so a part never takes more than what is left.
  for (const [bucket, count] of [
    ['inputAudio', usage.inputAudioTokens],
    ['inputImage', usage.inputImageTokens],
  ] as const) {
    if (prices[bucket] === undefined) continue
    tokens[bucket] = Math.min(count ?? 0, uncachedInput)
    uncachedInput -= tokens[bucket]
  }
  tokens.input = uncachedInput
  let plainOutput = usage.outputTokens
  for (const [bucket, count] of [
    ['reasoning', usage.reasoningTokens],
    ['outputAudio', usage.outputAudioTokens],
    ['outputImage', usage.outputImageTokens],
  ] as const) {
    if (prices[bucket] === undefined) continue
    tokens[bucket] = Math.min(count ?? 0, plainOutput)
    plainOutput -= tokens[bucket]
  }
  tokens.output = plainOutput

  const breakdown: CostBreakdown = {}
  let total = ZERO
  for (const bucket of Object.keys(tokens) as PriceBucket[]) {
    if (tokens[bucket] === 0) continue
    const cost = costOf(tokens[bucket], rates[bucket])
    breakdown[bucket] = formatUsd(cost)
    total = addDecimals(total, cost)
  }
  return { costUsd: formatUsd(total), breakdown }
}
