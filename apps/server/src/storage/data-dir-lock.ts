import { randomBytes } from 'node:crypto'
import { linkSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
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

function readOr(read: () => string): string {
  try {
    return read()
  } catch {
    return ''
  }
}

/**
 * Where process ids name the same processes as in this one: the host, its boot and this process's PID
 * namespace. Two containers sharing a volume each have their own ids (each server may be process 1),
 * so a process id read from a lock means nothing outside the namespace that wrote it.
 */
export function processNamespace(): string {
  const bootId = readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim())
  const pidNamespace = readOr(() => readlinkSync('/proc/self/ns/pid')).replace(/\D/g, '')
  return [hostname().replace(/\s/g, '_') || 'host', bootId, pidNamespace].join('/')
}

interface Holder {
  pid: number
  startTime: string | undefined
  /** Absent in locks written before namespaces were recorded. */
  namespace: string | undefined
}

/** The process a lock file's text names: `<pid>`, `<pid> <start time>` or `<pid> <start time> <namespace>`. */
function parseHolder(text: string): Holder {
  const [pid, startTime, namespace] = text.trim().split(' ')
  return {
    pid: Number.parseInt(pid ?? '', 10),
    startTime: startTime && startTime !== '-' ? startTime : undefined,
    namespace: namespace || undefined,
  }
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

// Refreshes the lock file's modification time while its text is still this process's. It runs on a
// thread of its own: a long statement of the embedded database holds the main thread for seconds.
// Written to load as a script or a module, whichever the process's flags make an evaluated worker.
const HEARTBEAT_SOURCE = `
Promise.all([import('node:worker_threads'), import('node:fs')]).then(([{ workerData }, fs]) => {
  const timer = setInterval(() => {
    try {
      if (fs.readFileSync(workerData.lockPath, 'utf8') !== workerData.text) return clearInterval(timer)
      const now = new Date()
      fs.utimesSync(workerData.lockPath, now, now)
    } catch {
      clearInterval(timer)
    }
  }, workerData.heartbeatMs)
})
`

/**
 * Removes a stale lock whose text was `staleText`, unless another process replaced it meanwhile:
 * the lock is moved aside in one step (only one of several racing processes can), and put back if
 * what was moved is not the stale lock after all, or `stillStale` says its holder came back to life
 * (refreshed it) in between.
 */
function removeStaleLock(lockPath: string, staleText: string, stillStale: (file: string) => boolean): void {
  const aside = `${lockPath}.stale.${process.pid}.${randomBytes(4).toString('hex')}`
  try {
    renameSync(lockPath, aside)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  try {
    if (readFileSync(aside, 'utf8') !== staleText || !stillStale(aside)) linkSync(aside, lockPath)
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

/** Milliseconds since a lock file was last refreshed by its holder, or undefined when it is gone. */
function lockAgeMs(file: string): number | undefined {
  try {
    return Date.now() - statSync(file).mtimeMs
  } catch {
    return undefined
  }
}

/** Options of `acquireDataDirLock` (tests shorten the times). */
export interface DataDirLockOptions {
  /** How often the holder refreshes its lock file's modification time. Default 2 s. */
  heartbeatMs?: number
  /** A lock from another namespace not refreshed for this long is stale. Default 15 s. */
  staleAfterMs?: number
}

// How to go on, for a server and a CLI command alike (a different folder is not the same data).
const ONE_PROCESS_AT_A_TIME =
  'The embedded database serves one process at a time, so stop the server to run a command such as `keys revoke` against it; to run commands beside running servers, use PostgreSQL (DATABASE_URL), which several processes share. Another ACP_DATA_DIR is another, separate database.'

/**
 * Takes the embedded database folder for this process, or fails with who holds it. A lock left by a
 * process that no longer runs is taken over, also when a new process got its id. The holder refreshes
 * the lock file every `heartbeatMs`: a lock written in another PID namespace (another container on a
 * shared volume), whose process cannot be looked up from here, is live while it is refreshed and
 * taken over once it has not been for `staleAfterMs`. Returns the release function.
 */
export function acquireDataDirLock(dataDir: string, options: DataDirLockOptions = {}): () => void {
  const heartbeatMs = options.heartbeatMs ?? 2_000
  const staleAfterMs = options.staleAfterMs ?? 15_000
  const lockPath = path.resolve(dataDir, 'server.lock')
  if (heldHere.has(lockPath)) {
    throw new StorageError('DATA_DIR_LOCKED', `The data folder ${dataDir} is already open in this process.`)
  }
  const namespace = processNamespace()
  const text = `${process.pid} ${processStartTime(process.pid) ?? '-'} ${namespace}`
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      createLockFile(lockPath, text)
      heldHere.add(lockPath)
      const heartbeat = new Worker(HEARTBEAT_SOURCE, {
        eval: true,
        workerData: { lockPath, text, heartbeatMs },
      })
      heartbeat.unref()
      let released = false
      return () => {
        if (released) return
        released = true
        void heartbeat.terminate()
        heldHere.delete(lockPath)
        // Only this process's lock: another process may have taken the folder over meanwhile.
        try {
          if (readFileSync(lockPath, 'utf8') === text) rmSync(lockPath, { force: true })
        } catch {
          // Gone already.
        }
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
      const foreign = holder.namespace !== undefined && holder.namespace !== namespace
      if (foreign) {
        const ageMs = lockAgeMs(lockPath)
        if (ageMs !== undefined && ageMs < staleAfterMs) {
          throw new StorageError(
            'DATA_DIR_LOCKED',
            `The data folder ${dataDir} is in use by process ${holder.pid} in another container or on another host (${(holder.namespace ?? '').split('/')[0]}); its lock was refreshed ${Math.max(0, Math.round(ageMs / 1000))} s ago. Stop that server first (a lock not refreshed for ${staleAfterMs / 1000} s is taken over), then run this again. ${ONE_PROCESS_AT_A_TIME}`,
          )
        }
      } else if (holder.pid !== process.pid && holderRuns(holder)) {
        // (Our own id in a lock we do not hold: an earlier process with this id left it.)
        throw new StorageError(
          'DATA_DIR_LOCKED',
          `The data folder ${dataDir} is in use by process ${holder.pid}. Stop that process, then run this again. ${ONE_PROCESS_AT_A_TIME}`,
        )
      }
      removeStaleLock(lockPath, staleText, (file) => {
        if (!foreign) return true
        const ageMs = lockAgeMs(file)
        return ageMs === undefined || ageMs >= staleAfterMs
      })
    }
  }
  throw new StorageError(
    'DATA_DIR_LOCKED',
    `Could not lock the data folder ${dataDir}; remove ${lockPath} if no server runs.`,
  )
}
