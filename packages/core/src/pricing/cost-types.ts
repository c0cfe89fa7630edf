import type { ServiceTier } from '../events/llm-call-event.ts'
import type { UsageBuckets } from '../usage/usage-buckets.ts'

/** How an event was priced: from the catalogue or a project override, from a fallback source, or not at all. */
export type CostStatus = 'priced' | 'estimated' | 'unpriced'

/** Where the price that priced an event came from. */
export type PriceSource = 'override' | 'catalogue' | 'genai-prices'

/**
 * USD per million tokens for each bucket, as decimal strings. A missing optional bucket is billed as
 * its parent: `cacheRead` and `cacheWrite` as `input`, `cacheWrite1h` as `cacheWrite`, audio and image
 * parts as `input` or `output`, `reasoning` as `output`.
 */
export interface TokenPrices {
  input: string
  output: string
  cacheRead?: string
  cacheWrite?: string
  cacheWrite1h?: string
  reasoning?: string
  inputAudio?: string
  outputAudio?: string
  inputImage?: string
  outputImage?: string
}

/**
 * Prices that replace some bucket prices when a request's prompt is large. Providers decide the
 * tier per request from the whole prompt (`inputTokens`, cache reads and writes included) and then
 * bill every token of that request at the tier's rates, output included.
 */
export interface LongContextTier {
  /** The tier applies when `inputTokens` is greater than this. */
  aboveInputTokens: number
  /** Bucket prices above the threshold; buckets left out keep their base price. */
  prices: Partial<TokenPrices>
}

/**
 * How a non-standard service tier changes a price: a multiplier on every bucket price (batch and
 * flex are "50% off whichever rate applies"), or published prices that replace the base prices.
 * Replacement prices describe short prompts only, so a long-context request keeps its standard
 * long-context rates; a multiplier also applies to long-context rates unless `appliesToLongContext`
 * is false (OpenAI's priority processing "excludes long context").
 */
export type ServiceTierPricing =
  | { multiplier: string; appliesToLongContext?: boolean }
  | { prices: TokenPrices }

/** Price changes per non-standard service tier; a tier left out is billed at standard rates. */
export type ServiceTierPrices = Partial<Record<Exclude<ServiceTier, 'standard'>, ServiceTierPricing>>

/**
 * A project's own price for a model from a date on; wins over the catalogue. `effectiveFrom` is a
 * date (`2026-01-01`, read as UTC midnight) or an ISO 8601 time. Without `serviceTiers` the override
 * applies as given to every service tier: it states what the project pays.
 */
export interface PriceOverride {
  id: string
  provider: string
  model: string
  effectiveFrom: string
  prices: TokenPrices
  longContext?: readonly LongContextTier[]
  serviceTiers?: ServiceTierPrices
}

/** Cost of each bucket in USD (12-place decimal strings); buckets with no tokens are omitted. */
export type CostBreakdown = Partial<
  Record<
    | 'input'
    | 'cacheRead'
    | 'cacheWrite'
    | 'cacheWrite1h'
    | 'output'
    | 'reasoning'
    | 'inputAudio'
    | 'outputAudio'
    | 'inputImage'
    | 'outputImage',
    string
  >
>

/** What `computeCost` needs to price one call. */
export interface ComputeCostInput {
  provider: string
  model: string
  usage: UsageBuckets
  /** ISO 8601 time of the call: selects the price in force then. */
  timestamp: string
  serviceTier?: ServiceTier
  overrides?: readonly PriceOverride[]
  /** The usage was estimated by the client, not reported by the provider: a price is then `estimated`. */
  usageEstimated?: boolean
}

/** The price of one call. `costUsd` is null only when `costStatus` is `unpriced`: never a silent $0. */
export interface CostResult {
  costUsd: string | null
  costStatus: CostStatus
  breakdown: CostBreakdown | null
  /** Stable id of the price entry or override used, so history can be re-priced and diffed. */
  priceEntryId: string | null
  priceSource: PriceSource | null
}
