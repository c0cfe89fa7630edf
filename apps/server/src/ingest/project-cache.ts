import { isSchemaMismatch } from '../storage/is-schema-mismatch.ts'

/** A value per project that ingest reads on every request, loaded at most every `ttlMs`. */
export interface ProjectCache<Value> {
  get(projectId: string): Promise<Value>
  /** Forgets a project's value: the next call reloads it (after an edit). */
  invalidate(projectId: string): void
}

/** Options for `createProjectCache`. */
export interface ProjectCacheOptions<Value> {
  load: (projectId: string) => Promise<Value>
  /** Longest time an edit made by another process takes to reach ingest. Default 30,000 ms. */
  ttlMs?: number
  /** Most projects kept; beyond it the cache starts afresh. Default 10,000. */
  maxProjects?: number
  now?: () => number
}

interface Entry<Value> {
  value: Value
  loadedAtMs: number
}

/**
 * Caches a value per project so ingest does not read it per request. One load at a time per
 * project; a failed reload keeps serving the last value read (a short-lived stale value beats
 * refusing events), unless the schema is older than the server's.
 */
export function createProjectCache<Value>(options: ProjectCacheOptions<Value>): ProjectCache<Value> {
  const ttlMs = options.ttlMs ?? 30_000
  const maxProjects = options.maxProjects ?? 10_000
  const now = options.now ?? Date.now
  const entries = new Map<string, Entry<Value>>()
  const loading = new Map<string, Promise<Value>>()
  // Bumped by invalidate(): a load that started before an edit must not store what it read.
  const generations = new Map<string, number>()

  async function load(projectId: string, stale: Entry<Value> | undefined): Promise<Value> {
    const generation = generations.get(projectId) ?? 0
    try {
      const value = await options.load(projectId)
      if ((generations.get(projectId) ?? 0) === generation) {
        if (entries.size >= maxProjects) entries.clear()
        entries.set(projectId, { value, loadedAtMs: now() })
      }
      return value
    } catch (error) {
      // A schema older than the server (a migration rolled back under it) is not a passing failure: the
      // cached value was read with the newer schema, and the request must say so (503 SCHEMA_NOT_CURRENT).
      if (stale && !isSchemaMismatch(error)) return stale.value
      if (stale) entries.delete(projectId)
      throw error
    } finally {
      loading.delete(projectId)
    }
  }

  return {
    get(projectId) {
      const entry = entries.get(projectId)
      if (entry && now() - entry.loadedAtMs < ttlMs) return Promise.resolve(entry.value)
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
