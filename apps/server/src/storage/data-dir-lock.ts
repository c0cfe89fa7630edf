import { randomBytes } from 'node:crypto'
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { StorageError } from './storage-error.ts'

/** Lock files this process holds: a lock naming this process's id is only ours if it is in here. */
const heldHere = new Set<string>()

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * When the process started, in clock ticks since boot (`/proc/<pid>/stat`, field 22), where the
 * system has a `/proc`. With the id it names one process even when ids are reused, as they are when
 * a container restarts and its server gets the same id again.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return fields[19]
  } catch {
    return undefined
  }
}

/** The process a lock file's text names: `<pid>` or `<pid> <start time>`. */
function parseHolder(text: string): { pid: number; startTime: string | undefined } {
  const [pid, startTime] = text.trim().split(' ')
  return { pid: Number.parseInt(pid ?? '', 10), startTime: startTime || undefined }
}

/**
 * Creates the lock file with its text in one step, or fails with EEXIST: the text is written to a
 * file of our own first and linked into place, so no other process ever reads a half-written lock.
 */
function createLockFile(lockPath: string, text: string): void {
  const draft = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}`
  writeFileSync(draft, text)
  try {
    linkSync(draft, lockPath)
  } finally {
    rmSync(draft, { force: true })
  }
}

/**
 * Removes a stale lock whose text was `staleText`, unless another process replaced it meanwhile:
 * the lock is moved aside in one step (only one of several racing processes can), and put back if
 * what was moved is not the stale lock after all.
 */
function removeStaleLock(lockPath: string, staleText: string): void {
  const aside = `${lockPath}.stale.${process.pid}.${randomBytes(4).toString('hex')}`
  try {
    renameSync(lockPath, aside)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  try {
    if (readFileSync(aside, 'utf8') !== staleText) linkSync(aside, lockPath)
  } catch {
    // Another process took the folder in between: the next attempt sees its lock.
  } finally {
    rmSync(aside, { force: true })
  }
}

/** True when the process a lock names still runs (the same process, not a later one with its id). */
function holderRuns(holder: { pid: number; startTime: string | undefined }): boolean {
  if (!Number.isInteger(holder.pid) || holder.pid <= 0 || !isProcessAlive(holder.pid)) return false
  if (holder.startTime === undefined) return true
  const startTime = processStartTime(holder.pid)
  return startTime === undefined || startTime === holder.startTime
}

/**
 * Takes the embedded database folder for this process, or fails with who holds it. A lock left by a
 * process that no longer runs is taken over, also when a new process got its id. Returns the release
 * function.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  const lockPath = path.resolve(dataDir, 'server.lock')
  if (heldHere.has(lockPath)) {
    throw new StorageError('DATA_DIR_LOCKED', `The data folder ${dataDir} is already open in this process.`)
  }
  const text = `${process.pid} ${processStartTime(process.pid) ?? ''}`.trim()
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      createLockFile(lockPath, text)
      heldHere.add(lockPath)
      let released = false
      return () => {
        if (released) return
        released = true
        heldHere.delete(lockPath)
        rmSync(lockPath, { force: true })
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      let staleText: string
      try {
        staleText = readFileSync(lockPath, 'utf8')
      } catch {
        continue
      }
      const holder = parseHolder(staleText)
      // Our own id in a lock we do not hold: an earlier process with this id left it.
      if (holder.pid !== process.pid && holderRuns(holder)) {
        throw new StorageError(
          'DATA_DIR_LOCKED',
          `The data folder ${dataDir} is in use by process ${holder.pid}. Stop that process, or set ACP_DATA_DIR to another folder (or DATABASE_URL to use PostgreSQL, which several processes can share).`,
        )
      }
      removeStaleLock(lockPath, staleText)
    }
  }
  throw new StorageError(
    'DATA_DIR_LOCKED',
    `Could not lock the data folder ${dataDir}; remove ${lockPath} if no server runs.`,
  )
}
