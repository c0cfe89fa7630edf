import type { LongContextTier, ServiceTierPrices, TokenPrices } from '../cost-types.ts'
import type { PriceEntry } from '../price-entry.ts'

/** One dated price of a model; `longContext`, `serviceTiers` and `source` default to the model's. */
export interface PriceVersion {
  effectiveFrom: string
  prices: TokenPrices
  longContext?: readonly LongContextTier[]
  serviceTiers?: ServiceTierPrices
  /** Where this price and its date were published, when not on the model's `source` (e.g. a past price). */
  source?: string
}

/** A model and its price history, as the provider catalogue files write it. */
export interface ModelPricing {
  provider: string
  /** The part of the stable id after the provider, e.g. `gpt-4o-mini`. */
  name: string
  model: string
  aliases?: readonly string[]
  source: string
  longContext?: readonly LongContextTier[]
  serviceTiers?: ServiceTierPrices
  /** Oldest first. */
  versions: readonly PriceVersion[]
}

/** Expands a model's price history into one frozen catalogue entry per dated price. */
export function definePriceEntries(pricing: ModelPricing): PriceEntry[] {
  return pricing.versions.map((version) => {
    const longContext = version.longContext ?? pricing.longContext
    const serviceTiers = version.serviceTiers ?? pricing.serviceTiers
    const entry: PriceEntry = {
      id: `${pricing.provider}/${pricing.name}`,
      provider: pricing.provider,
      model: pricing.model,
      aliases: Object.freeze([...(pricing.aliases ?? [])]),
      effectiveFrom: version.effectiveFrom,
      prices: Object.freeze({ ...version.prices }),
      ...(longContext && longContext.length > 0 ? { longContext } : {}),
      ...(serviceTiers ? { serviceTiers } : {}),
      source: version.source ?? pricing.source,
    }
    return Object.freeze(entry)
  })
}
