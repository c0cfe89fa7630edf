import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import path from 'node:path'
import { StorageError } from './storage-error.ts'

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes the embedded database folder for this process, or fails with who holds it. A lock left by a
 * process that no longer runs is taken over. Returns the release function.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  const lockPath = path.join(dataDir, 'server.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      let released = false
      return () => {
        if (released) return
        released = true
        rmSync(lockPath, { force: true })
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const holder = Number.parseInt(readFileSync(lockPath, 'utf8'), 10)
      if (Number.isInteger(holder) && holder !== process.pid && isProcessAlive(holder)) {
        throw new StorageError(
          'DATA_DIR_LOCKED',
          `The data folder ${dataDir} is in use by process ${holder}. Stop that process, or set ACP_DATA_DIR to another folder (or DATABASE_URL to use PostgreSQL, which several processes can share).`,
        )
      }
      if (holder === process.pid) {
        throw new StorageError(
          'DATA_DIR_LOCKED',
          `The data folder ${dataDir} is already open in this process.`,
        )
      }
      rmSync(lockPath, { force: true })
    }
  }
  throw new StorageError(
    'DATA_DIR_LOCKED',
    `Could not lock the data folder ${dataDir}; remove ${lockPath} if no server runs.`,
  )
}
