import { describe, expect, it } from 'vitest'
import { PgliteLog } from './pglite-log.ts'

// PGlite's stderr, as seeded data filled a 60 MB disk: a full disk inside a critical section, and the
// PANIC it leaves to the next write.
const DISK_FILLED_WHILE_WRITING = [
  '53100 PANIC:  could not write to file "pg_wal/xlogtemp.42": No space left on device',
  '53100 STATEMENT:  ',
  'Aborted()',
  'XX000 PANIC:  XLogBeginInsert was already called',
  'XX000 STATEMENT:  ',
  'Aborted()',
]

// Opening that database while the disk was still full: recovery needs a new log segment.
const STARTED_ON_A_FULL_DISK = [
  'pglitec: shmctl: no such segment 1',
  '00000 LOG:  database system was interrupted; last known up at 2026-11-30 15:09:17 UTC',
  '00000 LOG:  database system was not properly shut down; automatic recovery in progress',
  '00000 LOG:  redo starts at 0/16EF998',
  '00000 LOG:  redo done at 0/1FFFC08 system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.04 s',
  '53100 FATAL:  could not write to file "pg_wal/xlogtemp.42": No space left on device',
]

function readAll(log: PgliteLog, lines: string[]) {
  return lines.map((line) => log.read(line))
}

describe('PgliteLog', () => {
  it('reads the failures PostgreSQL logs, by SQLSTATE and severity, and nothing else', () => {
    const log = new PgliteLog()
    expect(readAll(log, STARTED_ON_A_FULL_DISK)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      {
        sqlState: '53100',
        severity: 'FATAL',
        message: 'could not write to file "pg_wal/xlogtemp.42": No space left on device',
      },
    ])
    expect(log.read('42501 FATAL:  could not create lock file "postmaster.pid": Permission denied')).toEqual({
      sqlState: '42501',
      severity: 'FATAL',
      message: 'could not create lock file "postmaster.pid": Permission denied',
    })
    expect(log.lastFailure?.sqlState).toBe('42501')
  })

  it('names the full disk as the cause of the PANIC that follows it', () => {
    const log = new PgliteLog()
    const failures = readAll(log, DISK_FILLED_WHILE_WRITING)
    expect(failures.map((failure) => failure?.severity)).toEqual([
      'PANIC',
      undefined,
      undefined,
      'PANIC',
      undefined,
      undefined,
    ])
    expect(log.lastFailure?.message).toBe('XLogBeginInsert was already called')
    expect(log.diskFull?.message).toBe(
      'could not write to file "pg_wal/xlogtemp.42": No space left on device',
    )
  })

  it('does not blame the disk for a PANIC unless a full disk was one of the last two failures', () => {
    const log = new PgliteLog()
    expect(log.read('XX000 PANIC:  XLogBeginInsert was already called')?.severity).toBe('PANIC')
    expect(log.diskFull).toBeUndefined()
    log.read('53100 ERROR:  could not extend file "base/5/16474": No space left on device')
    log.read('23505 ERROR:  duplicate key value violates unique constraint "projects_name_key"')
    log.read('XX000 PANIC:  XLogBeginInsert was already called')
    expect(log.diskFull).toBeUndefined()
  })
})
