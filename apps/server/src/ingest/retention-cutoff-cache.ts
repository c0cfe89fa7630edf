import type { MessageBus } from '../messaging/message-bus.ts'
import type { Queryable } from '../storage/database.ts'
import { findProjectRetention } from '../storage/repositories/retention-repository.ts'
import { createProjectCache, type ProjectCache } from './project-cache.ts'

/** Channel on which a project whose retention cut moved is announced, so every process reloads it. */
export const RETENTION_CUT_MOVED_CHANNEL = 'acp:retention-cut-moved'

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

/**
 * Keeps a process's cut cache in step with retention runs in any process sharing `bus`: subscribes to the
 * moves the others announce, and returns what this process's retention runs call once they moved a cut
 * (forget it here at once, then announce it). Without a bus, other processes read it within 30 s.
 * @example
 * const onRetentionCutMoved = await shareRetentionCutMoves(ingest.retentionCutoffs, bus)
 * const jobs = createJobService({ db, logger, onRetentionCutMoved })
 */
export async function shareRetentionCutMoves(
  cache: RetentionCutoffCache,
  bus: MessageBus | undefined,
): Promise<(projectId: string) => Promise<void>> {
  await bus?.subscribe(RETENTION_CUT_MOVED_CHANNEL, (projectId) => cache.invalidate(projectId))
  return async (projectId) => {
    cache.invalidate(projectId)
    await bus?.publish(RETENTION_CUT_MOVED_CHANNEL, projectId)
  }
}
