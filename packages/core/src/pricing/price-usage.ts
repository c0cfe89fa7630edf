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

/** Every bucket, in the order a breakdown lists them. */
export const PRICE_BUCKETS: readonly PriceBucket[] = [
  'input',
  'cacheRead',
  'cacheWrite',
  'cacheWrite1h',
  'inputAudio',
  'inputImage',
  'output',
  'reasoning',
  'outputAudio',
  'outputImage',
]

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

/** A schedule's prices for one long-context tier and service tier, ready to bill with. */
interface BillingRates {
  /** The schedule's own prices (a bucket it does not price is absent). */
  prices: ParsedPrices
  /** Every bucket's rate, with the fallbacks applied; undefined when input or output has no price. */
  rates: Record<PriceBucket, Decimal> | undefined
  /**
   * The same rates in picodollars (the 12th USD place) per token, where each is a whole number: a
   * price per million with at most 6 decimals. Such a bucket's cost is `tokens × rate` exactly, with
   * nothing to round, so ordinary integer arithmetic gives the same digits as the decimal maths.
   */
  picoRates: Record<PriceBucket, number> | undefined
}

function fallbackRates(prices: ParsedPrices): Record<PriceBucket, Decimal> | undefined {
  const { input, output } = prices
  if (input === undefined || output === undefined) return undefined
  // Without a cache price the provider bills cached tokens as ordinary input.
  const cacheWrite = prices.cacheWrite ?? input
  return {
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
}

const PICO_DIGITS = USD_FRACTION_DIGITS - TOKENS_PER_PRICE_UNIT_DIGITS

function picodollarRates(
  rates: Record<PriceBucket, Decimal> | undefined,
): Record<PriceBucket, number> | undefined {
  if (rates === undefined) return undefined
  const picoRates = {} as Record<PriceBucket, number>
  for (const bucket of PRICE_BUCKETS) {
    const { coefficient, scale } = rates[bucket]
    if (scale > PICO_DIGITS) return undefined
    const rate = coefficient * 10n ** BigInt(PICO_DIGITS - scale)
    if (rate > BigInt(Number.MAX_SAFE_INTEGER)) return undefined
    picoRates[bucket] = Number(rate)
  }
  return picoRates
}

// Catalogue entries are long-lived objects and a busy ingest prices the same few models over and
// over: their rates are kept per schedule, long-context tier and service tier.
const billingRatesBySchedule = new WeakMap<PriceSchedule, Map<string, BillingRates>>()

function cachedRates(options: PriceUsageOptions): BillingRates {
  const { schedule, usage, serviceTier } = options
  const longContextTier = chooseLongContextTier(schedule.longContext, usage.inputTokens)
  let bySchedule = billingRatesBySchedule.get(schedule)
  if (bySchedule === undefined) {
    bySchedule = new Map()
    billingRatesBySchedule.set(schedule, bySchedule)
  }
  const key = `${longContextTier ? schedule.longContext?.indexOf(longContextTier) : ''}|${serviceTier ?? ''}`
  let billing = bySchedule.get(key)
  if (billing === undefined) {
    const prices = resolvePrices(schedule, longContextTier, serviceTier)
    const rates = fallbackRates(prices)
    billing = { prices, rates, picoRates: picodollarRates(rates) }
    bySchedule.set(key, billing)
  }
  return billing
}

const ZEROS = ['', '0', '00', '000', '0000', '00000']

// Six digits of a number below 10^6, zero-padded.
function sixDigits(value: number): string {
  const digits = `${value}`
  return digits.length === 6 ? digits : ZEROS[6 - digits.length] + digits
}

// A whole number of picodollars below 2^53 as a 12-place USD string, e.g. 1646400000 → "0.001646400000".
// Cut into parts below 10^6 by exact remainders and divisions (each dividend is a multiple of its
// divisor), which print several times faster than one 12-digit number padded.
function formatPicodollars(picodollars: number): string {
  const picos = picodollars % 1e6 // the last six places
  const wholeMicrodollars = (picodollars - picos) / 1e6
  const micros = wholeMicrodollars % 1e6 // the first six places
  const dollars = (wholeMicrodollars - micros) / 1e6
  return `${dollars}.${sixDigits(micros)}${sixDigits(picos)}`
}

type PartField =
  | 'inputAudioTokens'
  | 'inputImageTokens'
  | 'reasoningTokens'
  | 'outputAudioTokens'
  | 'outputImageTokens'

// The parts of a whole that a schedule may bill at their own rate, with the usage field of each.
const INPUT_PARTS = [
  ['inputAudio', 'inputAudioTokens'],
  ['inputImage', 'inputImageTokens'],
] as const satisfies ReadonlyArray<readonly [PriceBucket, PartField]>
const OUTPUT_PARTS = [
  ['reasoning', 'reasoningTokens'],
  ['outputAudio', 'outputAudioTokens'],
  ['outputImage', 'outputImageTokens'],
] as const satisfies ReadonlyArray<readonly [PriceBucket, PartField]>

// Moves each part the schedule prices from `whole` into its own bucket, never more than is left, and
// returns what is left. The part lists are built once: this runs for every ingested call.
function carveParts(
  parts: ReadonlyArray<readonly [PriceBucket, PartField]>,
  whole: number,
  call: { prices: ParsedPrices; usage: UsageBuckets; tokens: Record<PriceBucket, number> },
): number {
  let left = whole
  for (const [bucket, field] of parts) {
    if (call.prices[bucket] === undefined) continue
    const part = Math.min(call.usage[field] ?? 0, left)
    call.tokens[bucket] = part
    left -= part
  }
  return left
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
  const { prices, rates, picoRates } = cachedRates(options)
  if (rates === undefined) {
    throw new CoreError('INVALID_PRICE_ENTRY', `${options.schedule.id} has no input or output price`)
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
  // Modality parts are carved out of the uncached input only: cached audio or image tokens are
  // already billed at the cache rate, so a part never takes more than what is left.
  const uncachedInput = usage.inputTokens - tokens.cacheRead - tokens.cacheWrite - tokens.cacheWrite1h
  const call = { prices, usage, tokens }
  tokens.input = carveParts(INPUT_PARTS, uncachedInput, call)
  tokens.output = carveParts(OUTPUT_PARTS, usage.outputTokens, call)

  if (picoRates !== undefined) {
    const priced = priceInPicodollars(tokens, picoRates)
    if (priced !== undefined) return priced
  }
  const breakdown: CostBreakdown = {}
  let total = ZERO
  for (const bucket of PRICE_BUCKETS) {
    if (tokens[bucket] === 0) continue
    const cost = costOf(tokens[bucket], rates[bucket])
    breakdown[bucket] = formatUsd(cost)
    total = addDecimals(total, cost)
  }
  return { costUsd: formatUsd(total), breakdown }
}

// `priceUsage`'s sum in whole picodollars; undefined when a product or the total would pass 2^53 - 1
// (about $9,007), where a double no longer holds every integer and the decimal maths takes over.
// Below that bound an integer product of doubles is exact, and one above it never rounds down into it.
function priceInPicodollars(
  tokens: Record<PriceBucket, number>,
  picoRates: Record<PriceBucket, number>,
): PricedUsage | undefined {
  const breakdown: CostBreakdown = {}
  let total = 0
  for (const bucket of PRICE_BUCKETS) {
    const count = tokens[bucket]
    if (count === 0) continue
    const cost = count * picoRates[bucket]
    if (cost < 0) return undefined
    total += cost
    if (total > Number.MAX_SAFE_INTEGER) return undefined
    breakdown[bucket] = formatPicodollars(cost)
  }
  return { costUsd: formatPicodollars(total), breakdown }
}
