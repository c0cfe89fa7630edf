import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { acquireDataDirLock, processNamespace, processStartTime } from './data-dir-lock.ts'

const folders: string[] = []
const folder = () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'acp-lock-'))
  folders.push(dataDir)
  return dataDir
}
afterEach(() => {
  for (const dataDir of folders.splice(0)) rmSync(dataDir, { recursive: true, force: true })
})

describe('acquireDataDirLock', () => {
  it('names this process, its start time and its namespace, and refuses a second open in the same process', () => {
    const dataDir = folder()
    const release = acquireDataDirLock(dataDir)
    expect(readFileSync(path.join(dataDir, 'server.lock'), 'utf8')).toBe(
      `${process.pid} ${processStartTime(process.pid)} ${processNamespace()}`,
    )
    expect(() => acquireDataDirLock(dataDir)).toThrow(/already open in this process/)
    release()
    acquireDataDirLock(dataDir)()
  })

  it('takes over a lock naming this process id that an earlier process left (a restarted container)', () => {
    const dataDir = folder()
    writeFileSync(path.join(dataDir, 'server.lock'), `${process.pid} 1`)
    const release = acquireDataDirLock(dataDir)
    expect(readFileSync(path.join(dataDir, 'server.lock'), 'utf8')).toMatch(new RegExp(`^${process.pid} `))
    release()
  })

  it('takes over a lock whose process id now belongs to another process', async () => {
    const dataDir = folder()
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'])
    try {
      const pid = other.pid as number
      writeFileSync(path.join(dataDir, 'server.lock'), `${pid} 1`)
      acquireDataDirLock(dataDir)()
      // The same process, recorded with its real start time, still holds the folder.
      writeFileSync(path.join(dataDir, 'server.lock'), `${pid} ${processStartTime(pid)}`)
      expect(() => acquireDataDirLock(dataDir)).toThrow(new RegExp(`in use by process ${pid}`))
      // A lock in the older format (the id only) is trusted while that id runs.
      writeFileSync(path.join(dataDir, 'server.lock'), `${pid}`)
      expect(() => acquireDataDirLock(dataDir)).toThrow(/in use by process/)
    } finally {
      other.kill()
    }
  })

  it('lets exactly one of several processes starting at the same instant take the folder, over a stale lock too', async () => {
    const run = promisify(execFile)
    const lockModule = fileURLToPath(new URL('./data-dir-lock.ts', import.meta.url))
    for (const stale of [false, true]) {
      const dataDir = folder()
      if (stale) writeFileSync(path.join(dataDir, 'server.lock'), '2147483646 12345')
      // Time for all four to start before any tries.
      const startAt = Date.now() + 4000
      const script = `
        import { acquireDataDirLock } from ${JSON.stringify(lockModule)}
        while (Date.now() < ${startAt}) {}
        try {
          const release = acquireDataDirLock(${JSON.stringify(dataDir)})
          console.log('took')
          // Held until every other process has surely tried, however slowly they started.
          await new Promise((resolve) => setTimeout(resolve, 4000))
          release()
        } catch (error) {
          console.log(error.code)
        }`
      const outcomes = await Promise.all(
        [1, 2, 3, 4].map(async () => {
          const { stdout } = await run(process.execPath, [
            '--import',
            'tsx',
            '--input-type=module',
            '-e',
            script,
          ])
          return stdout.trim()
        }),
      )
      expect(outcomes.sort()).toEqual(['DATA_DIR_LOCKED', 'DATA_DIR_LOCKED', 'DATA_DIR_LOCKED', 'took'])
    }
  })

  it('keeps out a process of another container while the holder refreshes its lock, then takes it over', async () => {
    const dataDir = folder()
    const lockPath = path.join(dataDir, 'server.lock')
    // Written by process 1 of another PID namespace: its id is this one's or a dead one's here, and means nothing.
    writeFileSync(lockPath, `1 4242 other-host/boot/4026532999`)
    expect(() => acquireDataDirLock(dataDir)).toThrow(/in use by process 1 in another container .*other-host/)
    writeFileSync(lockPath, `${process.pid} 4242 other-host/boot/4026532999`)
    expect(() => acquireDataDirLock(dataDir)).toThrow(/in another container/)
    // Not refreshed for 15 s: its holder is gone.
    const old = new Date(Date.now() - 16_000)
    utimesSync(lockPath, old, old)
    acquireDataDirLock(dataDir)()
  })

  it('refreshes the lock it holds, also while a long statement holds the main thread', async () => {
    const dataDir = folder()
    const lockPath = path.join(dataDir, 'server.lock')
    const release = acquireDataDirLock(dataDir, { heartbeatMs: 20 })
    // Time for the heartbeat's thread to start.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const old = new Date(Date.now() - 60_000)
    utimesSync(lockPath, old, old)
    // The main thread busy, as during a long statement of the embedded database.
    const blockedAt = Date.now()
    while (Date.now() - blockedAt < 400) {}
    expect(statSync(lockPath).mtimeMs).toBeGreaterThan(blockedAt - 1_000)
    release()
  })

  it('leaves a lock another process took over in place when it releases its own', () => {
    const dataDir = folder()
    const lockPath = path.join(dataDir, 'server.lock')
    const release = acquireDataDirLock(dataDir)
    writeFileSync(lockPath, '1 4242 other-host/boot/4026532999')
    release()
    expect(readFileSync(lockPath, 'utf8')).toBe('1 4242 other-host/boot/4026532999')
  })

  it('takes over a lock left by a process that no longer runs', () => {
    const dataDir = folder()
    writeFileSync(path.join(dataDir, 'server.lock'), '2147483646 12345')
    acquireDataDirLock(dataDir)()
  })
})
