import { catalogueIndex, type DatedPriceEntry } from './catalogue-index.ts'
import { parseInstant } from './parse-instant.ts'
import type { PriceEntry } from './price-entry.ts'

/** What `findPriceEntry` looks up. */
export interface FindPriceEntryOptions {
  provider: string
  model: string
  /** ISO 8601 time of the call. */
  timestamp: string
}

// The latest entry in force at `epochMs`. A call stamped before a model's first price (clock skew,
// back-filled data) gets the launch price rather than no price: the model cannot have been billed
// at any other.
function selectEntryInForce(dated: readonly DatedPriceEntry[], epochMs: number): PriceEntry | undefined {
  let inForce = dated[0]
  for (const candidate of dated) {
    if (candidate.effectiveFromMs <= epochMs) inForce = candidate
  }
  return inForce?.entry
}

/**
 * The catalogue price in force for a model at the time of a call, or undefined for a model the
 * catalogue does not know. Ids match case-insensitively, with Gemini's `models/` prefix, aliases and
 * dated snapshots resolved. Project overrides are not consulted: `computeCost` does that.
 *
 * @example
 * findPriceEntry({ provider: 'openai', model: 'gpt-4o-mini-2024-07-18', timestamp: '2026-01-05T10:00:00Z' })
 * // → the `openai/gpt-4o-mini` entry
 */
export function findPriceEntry(options: FindPriceEntryOptions): PriceEntry | undefined {
  return findPriceEntryAt({ ...options, timestampMs: parseInstant(options.timestamp, 'timestamp') })
}

/** `findPriceEntry` for a time already parsed (epoch milliseconds). */
export function findPriceEntryAt(options: {
  provider: string
  model: string
  timestampMs: number
}): PriceEntry | undefined {
  const id = catalogueIndex.resolveModelId(options.provider, options.model)
  if (id === undefined) return undefined
  return selectEntryInForce(catalogueIndex.entriesOf(id), options.timestampMs)
}
