import { createHash } from 'node:crypto'
import type { Database, DedicatedConnection } from '../storage/database.ts'
import {
  type AdvisoryLockKey,
  releaseAdvisoryLock,
  tryAdvisoryLock,
} from '../storage/repositories/advisory-locks-repository.ts'

/** Names one advisory lock: a job and a number within it (e.g. a day number). */
export interface AdvisoryLockName {
  job: string
  subKey: number
}

/** What `withAdvisoryLock` did: ran `work` with the lock, or found the lock held elsewhere. */
export type AdvisoryLockOutcome<T> =
  | { acquired: true; value: T; lockWaitMs: number }
  | { acquired: false; lockWaitMs: number }

// A session-level advisory lock is re-entrant within one session, and PGlite is one session for the whole
// process: locks held in this process are tracked here as well, per database.
const heldInProcess = new WeakMap<Database, Set<string>>()

/** The 32-bit key of a job name, stable across processes and versions. */
export function advisoryLockKey(name: AdvisoryLockName): AdvisoryLockKey {
  return [createHash('sha256').update(name.job).digest().readInt32BE(0), name.subKey]
}

/**
 * Runs `work` while holding a PostgreSQL session advisory lock on a dedicated connection, or returns at once
 * when another process (or another run in this one) holds it. The lock is released when `work` settles and,
 * should the process die, when its connection closes. `work` gets that connection: doing its queries on it
 * keeps a locked run to one connection of the pool.
 */
export async function withAdvisoryLock<T>(
  db: Database,
  name: AdvisoryLockName,
  work: (connection: DedicatedConnection) => Promise<T>,
): Promise<AdvisoryLockOutcome<T>> {
  const startedMs = performance.now()
  const id = `${name.job}:${name.subKey}`
  let held = heldInProcess.get(db)
  if (!held) {
    held = new Set()
    heldInProcess.set(db, held)
  }
  if (held.has(id)) return { acquired: false, lockWaitMs: performance.now() - startedMs }
  held.add(id)
  try {
    const key = advisoryLockKey(name)
    return await db.withConnection(async (connection) => {
      const acquired = await tryAdvisoryLock(connection, key)
      const lockWaitMs = performance.now() - startedMs
      if (!acquired) return { acquired: false, lockWaitMs }
      try {
        return { acquired: true, value: await work(connection), lockWaitMs }
      } finally {
        await releaseAdvisoryLock(connection, key)
      }
    })
  } finally {
    held.delete(id)
  }
}
