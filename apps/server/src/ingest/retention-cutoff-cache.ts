import type { Queryable } from '../storage/database.ts'
import { findProjectRetention } from '../storage/repositories/retention-repository.ts'
import { createProjectCache, type ProjectCache } from './project-cache.ts'

/**
 * Per project, the instant (ms) before which retention deleted its raw calls and keeps only daily
 * totals, or undefined before its first retention run. A call older than that is refused: stored raw,
 * it would never reach the totals the summaries read for that period.
 */
export type RetentionCutoffCache = ProjectCache<number | undefined>

/** Caches each project's retention cutoff, loaded at most every 30 s (a run moves it once a day). */
export function createRetentionCutoffCache(options: {
  db: Queryable
  now?: () => number
}): RetentionCutoffCache {
  return createProjectCache({
    now: options.now,
    async load(projectId) {
      const retention = await findProjectRetention(options.db, projectId)
      return retention?.rawDeletedBefore ? Date.parse(retention.rawDeletedBefore) : undefined
    },
  })
}
