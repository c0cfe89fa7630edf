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

// How closely an override's model id matches the call's: as written (2), after normalisation, e.g. in
// another case (1), or only through the catalogue, as an alias or a dated snapshot of the same model (0).
function closeness(overrideModel: string, callModel: string): number {
  if (overrideModel === callModel) return 2
  return normalizeModelId(overrideModel) === normalizeModelId(callModel) ? 1 : 0
}

interface Candidate {
  override: PriceOverride
  effectiveFromMs: number
  closeness: number
}

// The order in which overrides are listed never decides (a database lists them in its collation's
// order, which differs between PGlite and PostgreSQL): each step compares what the overrides say.
function outranks(candidate: Candidate, best: Candidate): boolean {
  if (candidate.effectiveFromMs !== best.effectiveFromMs)
    return candidate.effectiveFromMs > best.effectiveFromMs
  if (candidate.closeness !== best.closeness) return candidate.closeness > best.closeness
  const { model, id } = candidate.override
  if (model !== best.override.model) return model < best.override.model
  return id < best.override.id
}

/**
 * The project override in force for a call: among overrides for the same provider and model, the
 * one with the latest `effectiveFrom` at or before the call. An override that starts after the call
 * does not reach back to it. Of two overrides for the same model with the same `effectiveFrom` (the
 * server refuses to create such a pair, but one may predate that check), the one whose model id is the
 * call's as written wins, then one equal to it but for case, then the one whose model id sorts first
 * by UTF-16 code units, then the lower id; never the order they are listed in.
 */
export function findPriceOverride(options: FindPriceOverrideOptions): PriceOverride | undefined {
  const wanted = modelKey(options.provider, options.model)
  let best: Candidate | undefined
  for (const override of options.overrides) {
    if (modelKey(override.provider, override.model) !== wanted) continue
    const effectiveFromMs = parseInstant(
      override.effectiveFrom,
      `effectiveFrom of price override ${override.id}`,
    )
    if (effectiveFromMs > options.timestampMs) continue
    const candidate = { override, effectiveFromMs, closeness: closeness(override.model, options.model) }
    if (best === undefined || outranks(candidate, best)) best = candidate
  }
  return best?.override
}
