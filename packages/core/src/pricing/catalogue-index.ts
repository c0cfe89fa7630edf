import { MODEL_CATALOGUE } from './model-catalogue.ts'
import { normalizeModelId } from './normalize-model-id.ts'
import { parseInstant } from './parse-instant.ts'
import type { PriceEntry } from './price-entry.ts'
import { stripSnapshotDate } from './strip-snapshot-date.ts'

/** A catalogue entry with its `effectiveFrom` as epoch milliseconds. */
export interface DatedPriceEntry {
  readonly entry: PriceEntry
  readonly effectiveFromMs: number
}

/** Model-id lookups over the catalogue. */
export interface CatalogueIndex {
  /** The catalogue id (`provider/name`) a provider's model id resolves to, if any. */
  resolveModelId(provider: string, model: string): string | undefined
  /** The dated entries of a catalogue model, oldest first. */
  entriesOf(id: string): readonly DatedPriceEntry[]
}

function lookupKey(provider: string, model: string): string {
  return `${provider}\u0000${model}`
}

function createCatalogueIndex(entries: readonly PriceEntry[]): CatalogueIndex {
  const idsByName = new Map<string, string>()
  const entriesById = new Map<string, DatedPriceEntry[]>()
  for (const entry of entries) {
    for (const name of [entry.model, ...entry.aliases]) {
      const key = lookupKey(entry.provider, normalizeModelId(name))
      if (!idsByName.has(key)) idsByName.set(key, entry.id)
    }
    const dated = entriesById.get(entry.id) ?? []
    dated.push({ entry, effectiveFromMs: parseInstant(entry.effectiveFrom, `effectiveFrom of ${entry.id}`) })
    entriesById.set(entry.id, dated)
  }
  for (const dated of entriesById.values()) dated.sort((a, b) => a.effectiveFromMs - b.effectiveFromMs)

  // Ingest resolves the same few model names again and again; the answers (misses too) are kept
  // per provider, within a bound, since model names come from clients.
  const resolvedByProvider = new Map<string, Map<string, string | null>>()
  let resolvedCount = 0
  const resolve = (provider: string, model: string): string | undefined => {
    const providerSlug = provider.trim().toLowerCase()
    const name = normalizeModelId(model)
    const direct = idsByName.get(lookupKey(providerSlug, name))
    if (direct !== undefined) return direct
    // Providers keep shipping dated snapshots (`gpt-4o-mini-2024-07-18`, `claude-sonnet-4-20250514`)
    // and each one launches at its family's list price, so an unlisted snapshot is billed as its
    // base model. A snapshot priced differently (`gpt-4o-2024-05-13`) is listed and wins above.
    const base = stripSnapshotDate(name)
    return base === undefined ? undefined : idsByName.get(lookupKey(providerSlug, base))
  }

  return {
    resolveModelId(provider, model) {
      // Two lookups, not one by a joined key: joining allocated a new string on every call.
      let resolved = resolvedByProvider.get(provider)
      const known = resolved?.get(model)
      if (known !== undefined) return known ?? undefined
      const id = resolve(provider, model)
      if (resolvedCount >= 10_000) {
        resolvedByProvider.clear()
        resolvedCount = 0
        resolved = undefined
      }
      if (resolved === undefined) {
        resolved = new Map()
        resolvedByProvider.set(provider, resolved)
      }
      resolved.set(model, id ?? null)
      resolvedCount++
      return id
    },
    entriesOf(id) {
      return entriesById.get(id) ?? []
    },
  }
}

/** Lookups over `MODEL_CATALOGUE`, built once. */
export const catalogueIndex: CatalogueIndex = createCatalogueIndex(MODEL_CATALOGUE)
