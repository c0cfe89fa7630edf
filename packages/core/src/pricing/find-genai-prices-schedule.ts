import { calcPrice, type ModelPrice, type PriceCalculation } from '@pydantic/genai-prices'
import type { UsageBuckets } from '../usage/usage-buckets.ts'
import type { LongContextTier, TokenPrices } from './cost-types.ts'
import { decimalStringFromNumber } from './decimal-string-from-number.ts'
import { normalizeModelId } from './normalize-model-id.ts'
import type { PriceSchedule } from './price-usage.ts'

/** What `findGenaiPricesSchedule` looks up. */
export interface FindGenaiPricesScheduleOptions {
  provider: string
  model: string
  timestampMs: number
  /**
   * The call's tokens in the buckets an entry must price itself: without an output price it can only
   * price calls without output, and an OpenAI model without an audio price calls without audio.
   */
  usage: Pick<UsageBuckets, 'outputTokens' | 'inputAudioTokens' | 'outputAudioTokens'>
}

// OpenAI prices audio apart from text, at several times its rate (its audio-preview models), so where
// their data has no audio price for an OpenAI model the price of audio tokens is not known, and such
// a call is unpriced rather than billed as text. Elsewhere a missing audio price means text's (Gemini
// models that bill audio as text) or the output price is already audio's (Gemini TTS models).
const AUDIO_PRICED_APART_BY = new Set(['openai'])
const AUDIO_BUCKETS = [
  ['inputAudioTokens', 'inputAudio'],
  ['outputAudioTokens', 'outputAudio'],
] as const

/**
 * Their prices of a model as a schedule, made once (so pricing keeps its rates per schedule object): a
 * missing output price is 0 there, used only for calls without output.
 */
interface TheirPrices {
  schedule: PriceSchedule
  hasOutputPrice: boolean
  /** Audio tokens need an audio price of their own (see `AUDIO_PRICED_APART_BY`). */
  audioPricedApart: boolean
}

/** True when `their` prices every bucket `usage` has tokens in that needs a price of its own. */
function pricesEveryBucket(their: TheirPrices, usage: FindGenaiPricesScheduleOptions['usage']): boolean {
  if (usage.outputTokens > 0 && !their.hasOutputPrice) return false
  if (!their.audioPricedApart) return true
  return AUDIO_BUCKETS.every(
    ([field, bucket]) => !(usage[field] ?? 0) || their.schedule.prices[bucket] !== undefined,
  )
}

// Their per-million-token price keys that map onto our buckets. Other keys (per request, per web
// search, cached audio, video) have no bucket in the usage we record, so an estimate covers tokens
// in our buckets only.
const PRICE_KEYS: Readonly<Record<string, keyof TokenPrices>> = {
  input_mtok: 'input',
  output_mtok: 'output',
  cache_read_mtok: 'cacheRead',
  cache_write_mtok: 'cacheWrite',
  cache_write_1h_mtok: 'cacheWrite1h',
  input_audio_mtok: 'inputAudio',
  output_audio_mtok: 'outputAudio',
  input_image_mtok: 'inputImage',
  output_image_mtok: 'outputImage',
}

interface Tiered {
  base: number
  tiers: ReadonlyArray<{ start: number; price: number }>
}

function isTiered(value: unknown): value is Tiered {
  return typeof value === 'object' && value !== null && 'base' in value && 'tiers' in value
}

// Which of a model's dated price sets is in force, so the recorded id says which one was used.
function priceSetSuffix(calculation: PriceCalculation): string {
  const { prices } = calculation.model
  if (!Array.isArray(prices)) return ''
  const constraint = prices.find((candidate) => candidate.prices === calculation.model_price)?.constraint
  if (constraint === undefined) return ''
  return constraint.type === 'start_date'
    ? `@${constraint.start_date}`
    : `@${constraint.start_time}-${constraint.end_time}`
}

/** Their prices of a model of `providerId`; undefined without an input price. */
function toSchedule(id: string, providerId: string, modelPrice: ModelPrice): TheirPrices | undefined {
  const prices: Partial<TokenPrices> = {}
  const tierPrices = new Map<number, Partial<TokenPrices>>()
  for (const [key, value] of Object.entries(modelPrice)) {
    const bucket = PRICE_KEYS[key]
    if (bucket === undefined || value === undefined) continue
    if (typeof value === 'number') {
      prices[bucket] = decimalStringFromNumber(value)
    } else if (isTiered(value)) {
      prices[bucket] = decimalStringFromNumber(value.base)
      for (const tier of value.tiers) {
        const atThreshold = tierPrices.get(tier.start) ?? {}
        atThreshold[bucket] = decimalStringFromNumber(tier.price)
        tierPrices.set(tier.start, atThreshold)
      }
    }
  }
  // No token price means we cannot tell what the call cost: unpriced, never a silent $0.
  if (prices.input === undefined) return undefined
  const longContext: LongContextTier[] = [...tierPrices.entries()]
    .sort(([a], [b]) => a - b)
    .map(([aboveInputTokens, tier]) => ({ aboveInputTokens, prices: tier }))
  return {
    schedule: {
      id,
      prices: { ...prices, input: prices.input, output: prices.output ?? '0' },
      ...(longContext.length > 0 ? { longContext } : {}),
    },
    hasOutputPrice: prices.output !== undefined,
    audioPricedApart: AUDIO_PRICED_APART_BY.has(providerId),
  }
}

/** The schedule of `their` prices for a call whose buckets they all price (see `pricesEveryBucket`). */
function forCall(
  their: TheirPrices | undefined,
  usage: FindGenaiPricesScheduleOptions['usage'],
): PriceSchedule | undefined {
  return their !== undefined && pricesEveryBucket(their, usage) ? their.schedule : undefined
}

// Looking a model up in their data scans all of it (~40 µs a call, ~100× a catalogue hit), so the
// answers that cannot change with the call's time are remembered: a model they do not know (known or
// not, whatever the time), and the schedule of a model with one price set. A model whose prices change
// by date or time of day is looked up every time. Keyed by provider and model; undefined is "unknown".
// Whether the schedule can price a call's buckets is decided per call. Bounded: cleared when full.
const REMEMBERED_LIMIT = 10_000
const timelessAnswers = new Map<string, TheirPrices | undefined>()

function remember(key: string, schedule: TheirPrices | undefined): void {
  if (timelessAnswers.size >= REMEMBERED_LIMIT) timelessAnswers.clear()
  timelessAnswers.set(key, schedule)
}

/**
 * Prices for a model the catalogue lacks, from the `@pydantic/genai-prices` data bundled with the
 * package (no network). Their prices are JavaScript numbers; each is turned into the decimal string
 * it was written as, and the cost is then computed exactly like a catalogue price.
 */
export function findGenaiPricesSchedule(options: FindGenaiPricesScheduleOptions): PriceSchedule | undefined {
  const modelId = normalizeModelId(options.model)
  const providerId = options.provider.trim().toLowerCase()
  const key = `${providerId}\u0000${modelId}`
  if (timelessAnswers.has(key)) return forCall(timelessAnswers.get(key), options.usage)
  try {
    const calculation = calcPrice({}, modelId, { providerId, timestamp: new Date(options.timestampMs) })
    if (calculation === null) {
      remember(key, undefined)
      return undefined
    }
    const id = `genai-prices:${calculation.provider.id}/${calculation.model.id}${priceSetSuffix(calculation)}`
    const schedule = toSchedule(id, calculation.provider.id, calculation.model_price)
    if (!Array.isArray(calculation.model.prices)) remember(key, schedule)
    return forCall(schedule, options.usage)
  } catch {
    // A fallback source must not break pricing: a model it cannot handle stays unpriced.
    return undefined
  }
}
