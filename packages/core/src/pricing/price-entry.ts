import type { LongContextTier, ServiceTierPrices, TokenPrices } from './cost-types.ts'

/**
 * One model's published price from a date on. A price change adds an entry with a later
 * `effectiveFrom` instead of editing the old one, so costs of earlier calls never change.
 */
export interface PriceEntry {
  /** Stable id of the model, `provider/name`, shared by all of its dated entries. */
  readonly id: string
  /** Provider slug as events carry it: `openai`, `anthropic`, `google` (Gemini API) or `vertex`. */
  readonly provider: string
  /** The model id the provider documents. */
  readonly model: string
  /** Other ids billed at this price: dated snapshots, `-latest` and chat aliases. Lower case. */
  readonly aliases: readonly string[]
  /**
   * UTC date (`YYYY-MM-DD`) from which the price holds. For a model's first entry this is its launch;
   * a call stamped earlier than that (clock skew, back-filled data) uses the first entry.
   */
  readonly effectiveFrom: string
  readonly prices: TokenPrices
  /** Higher rates for large prompts, ordered by threshold. */
  readonly longContext?: readonly LongContextTier[]
  readonly serviceTiers?: ServiceTierPrices
  /** The public pricing page the prices were taken from. */
  readonly source: string
}

/** The id a cost result records for a catalogue entry: the model id and the date its price took effect. */
export function priceEntryKey(entry: Pick<PriceEntry, 'id' | 'effectiveFrom'>): string {
  return `${entry.id}@${entry.effectiveFrom}`
}
