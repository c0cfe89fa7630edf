import type { PriceOverride } from '@ai-cost-profiler/core'
import type { Queryable } from '../storage/database.ts'
import { listPriceOverrides } from '../storage/repositories/price-overrides-repository.ts'

/** Channel on which a project whose overrides changed is announced, so every process reloads them. */
export const PRICE_OVERRIDES_CHANGED_CHANNEL = 'acp:price-overrides-changed'

/** A project's price overrides as ingest prices with them, loaded at most every `ttlMs`. */
export interface PriceOverridesCache {
  get(projectId: string): Promise<readonly PriceOverride[]>
  /** Forgets a project's overrides: the next call reloads them (after an edit). */
  invalidate(projectId: string): void
}

/** Options for `createPriceOverridesCache`. */
export interface PriceOverridesCacheOptions {
  db: Queryable
  /** Longest time an edit made by another process takes to reach ingest. Default 30,000 ms. */
  ttlMs?: number
  /** Most projects kept; beyond it the cache starts afresh. Default 10,000. */
  maxProjects?: number
  now?: () => number
}

interface Entry {
  overrides: readonly PriceOverride[]
  loadedAtMs: number
}

/**
 * Caches each project's overrides so ingest does not read them per request. One load at a time per project;
 * a failed reload keeps serving the last overrides read (a short-lived stale price beats refusing events).
 */
export function createPriceOverridesCache(options: PriceOverridesCacheOptions): PriceOverridesCache {
  const ttlMs = options.ttlMs ?? 30_000
  const maxProjects = options.maxProjects ?? 10_000
  const now = options.now ?? Date.now
  const entries = new Map<string, Entry>()
  const loading = new Map<string, Promise<readonly PriceOverride[]>>()
  // Bumped by invalidate(): a load that started before an edit must not store what it read.
  const generations = new Map<string, number>()

  async function load(projectId: string, stale: Entry | undefined): Promise<readonly PriceOverride[]> {
    const generation = generations.get(projectId) ?? 0
    try {
      const records = await listPriceOverrides(options.db, projectId)
      const overrides = records.map(({ id, provider, model, effectiveFrom, prices }) => ({
        id,
        provider,
        model,
        effectiveFrom,
        prices,
      }))
      if ((generations.get(projectId) ?? 0) === generation) {
        if (entries.size >= maxProjects) entries.clear()
        entries.set(projectId, { overrides, loadedAtMs: now() })
      }
      return overrides
    } catch (error) {
      if (stale) return stale.overrides
      throw error
    } finally {
      loading.delete(projectId)
    }
  }

  return {
    get(projectId) {
      const entry = entries.get(projectId)
      if (entry && now() - entry.loadedAtMs < ttlMs) return Promise.resolve(entry.overrides)
      let pending = loading.get(projectId)
      if (!pending) {
        pending = load(projectId, entry)
        loading.set(projectId, pending)
      }
      return pending
    },
    invalidate(projectId) {
      entries.delete(projectId)
      loading.delete(projectId)
      generations.set(projectId, (generations.get(projectId) ?? 0) + 1)
    },
  }
}
