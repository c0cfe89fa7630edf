import type { PriceOverride } from '@ai-cost-profiler/core'
import type { Queryable } from '../storage/database.ts'
import { listPriceOverrides, toPriceOverride } from '../storage/repositories/price-overrides-repository.ts'
import { createProjectCache, type ProjectCache, type ProjectCacheOptions } from './project-cache.ts'

/** Channel on which a project whose overrides changed is announced, so every process reloads them. */
export const PRICE_OVERRIDES_CHANGED_CHANNEL = 'acp:price-overrides-changed'

/** A project's price overrides as ingest prices with them, loaded at most every `ttlMs`. */
export type PriceOverridesCache = ProjectCache<readonly PriceOverride[]>

/** Options for `createPriceOverridesCache`. */
export interface PriceOverridesCacheOptions
  extends Omit<ProjectCacheOptions<readonly PriceOverride[]>, 'load'> {
  db: Queryable
}

/** Caches each project's overrides so ingest does not read them per request (see `createProjectCache`). */
export function createPriceOverridesCache(options: PriceOverridesCacheOptions): PriceOverridesCache {
  return createProjectCache({
    ...options,
    async load(projectId) {
      const records = await listPriceOverrides(options.db, projectId)
      return records.map(toPriceOverride)
    },
  })
}
