import { catalogueIndex } from './catalogue-index.ts'
import type { PriceOverride } from './cost-types.ts'
import { normalizeModelId } from './normalize-model-id.ts'
import { parseInstant } from './parse-instant.ts'

/** What `findPriceOverride` looks up. */
export interface FindPriceOverrideOptions {
  provider: string
  model: string
  /** Epoch milliseconds of the call. */
  timestampMs: number
  overrides: readonly PriceOverride[]
}

// Two ids name the same model when they resolve to the same catalogue model (an override for
// `gpt-4o-mini` covers `gpt-4o-mini-2024-07-18`), or, for models the catalogue does not know,
// when they are equal after normalisation.
function modelKey(provider: string, model: string): string {
  const catalogueId = catalogueIndex.resolveModelId(provider, model)
  return catalogueId ?? `uncatalogued:${provider.trim().toLowerCase()}/${normalizeModelId(model)}`
}

/**
 * True when `model` and `other` name the same model of `provider` the way prices are looked up: a dated
 * snapshot, an alias, another case or a Gemini resource path of a catalogue model all name that model;
 * ids the catalogue does not know are equal after normalisation.
 */
export function namesSameModel(provider: string, model: string, other: string): boolean {
  return model === other || modelKey(provider, model) === modelKey(provider, other)
}

/**
 * The project override in force for a call: among overrides for the same provider and model, the
 * one with the latest `effectiveFrom` at or before the call. An override that starts after the call
 * does not reach back to it. Of two overrides with the same `effectiveFrom`, the later one listed wins.
 */
export function findPriceOverride(options: FindPriceOverrideOptions): PriceOverride | undefined {
  const wanted = modelKey(options.provider, options.model)
  let best: { override: PriceOverride; effectiveFromMs: number } | undefined
  for (const override of options.overrides) {
    if (modelKey(override.provider, override.model) !== wanted) continue
    const effectiveFromMs = parseInstant(
      override.effectiveFrom,
      `effectiveFrom of price override ${override.id}`,
    )
    if (effectiveFromMs > options.timestampMs) continue
    if (best === undefined || effectiveFromMs >= best.effectiveFromMs) best = { override, effectiveFromMs }
  }
  return best?.override
}
