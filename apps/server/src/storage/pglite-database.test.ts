import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isTransientDatabaseError } from '../resilience/is-transient-database-error.ts'
import { openPgliteDatabase } from './pglite-database.ts'

// What PostgreSQL raises when a table cannot grow on a full disk (md.c, mdzeroextend).
const RAISE_DISK_FULL = `RAISE EXCEPTION USING ERRCODE = 'disk_full',
  MESSAGE = 'could not extend file "base/5/16474": No space left on device', HINT = 'Check free disk space.'`

describe('PGlite database', () => {
  let parent: string
  let dataDir: string
  beforeEach(() => {
    parent = mkdtempSync(path.join(tmpdir(), 'acp-pglite-'))
    dataDir = path.join(parent, 'data')
  })
  afterEach(() => {
    rmSync(parent, { recursive: true, force: true })
  })

  it('fails a statement that finds the disk full as a StorageError saying so, and goes on', async () => {
    const db = await openPgliteDatabase({ dataDir })
    try {
      await db.exec(`CREATE TABLE t (x int);
        CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${RAISE_DISK_FULL}; END $$;
        CREATE TRIGGER full_disk BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION full_disk();`)
      const message = `No space left on the disk that holds the embedded database in ${dataDir} (could not extend file "base/5/16474": No space left on device); free space on that disk, or set ACP_DATA_DIR to a folder on a disk with room`
      for (const write of [
        () => db.query('INSERT INTO t VALUES (1)'),
        () => db.exec('INSERT INTO t VALUES (1)'),
        () => db.transaction((tx) => tx.query('INSERT INTO t VALUES (1)')),
        () => db.withConnection((connection) => connection.query('INSERT INTO t VALUES (1)')),
      ]) {
        const failure = await write().catch((error: unknown) => error)
        expect(failure).toMatchObject({
          name: 'StorageError',
          code: 'DATABASE_UNAVAILABLE',
          sqlState: '53100',
          message,
        })
        // As PostgreSQL's own disk_full: the database may have room on a later try.
        expect(isTransientDatabaseError(failure)).toBe(true)
      }
      expect((await db.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 0 }])
      await expect(db.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' })
    } finally {
      await db.close()
    }
  })

  it('says why PostgreSQL did not start, with its SQLSTATE, instead of "failed to initialize"', async () => {
    await (await openPgliteDatabase({ dataDir })).close()
    appendFileSync(path.join(dataDir, 'pgdata', 'postgresql.conf'), "\nshared_buffers = 'plenty'\n")
    const failure = await openPgliteDatabase({ dataDir }).catch((error: unknown) => error)
    expect(failure).toMatchObject({
      name: 'StorageError',
      code: 'DATABASE_UNAVAILABLE',
      sqlState: 'F0000',
      message: `PostgreSQL in ${path.join(dataDir, 'pgdata')} did not start: configuration file "/pglite/data/postgresql.conf" contains errors`,
    })
    // The folder is free again: the lock went with the failed start.
    const reopened = openPgliteDatabase({ dataDir })
    await expect(reopened).rejects.toMatchObject({ sqlState: 'F0000' })
  })

  it('creates missing parent folders, and fails at once where mkdir cannot create one (under /proc)', async () => {
    await (await openPgliteDatabase({ dataDir: path.join(dataDir, 'a', 'b') })).close()
    // A recursive mkdirSync never returns here on Node 20.
    const failure = await openPgliteDatabase({ dataDir: '/proc/acp-no-such-folder/data' }).catch(
      (error: unknown) => error,
    )
    expect(failure).toMatchObject({ code: 'ENOENT' })
  })
})
