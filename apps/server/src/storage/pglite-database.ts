import { accessSync, constants, existsSync, mkdirSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { PGlite, type Transaction } from '@electric-sql/pglite'
import { acquireDataDirLock } from './data-dir-lock.ts'
import type { Database, Queryable, QueryResult } from './database.ts'
import { type LoggedFailure, PGLITE_LOG_LINE_PREFIX, PgliteLog } from './pglite-log.ts'
import { DISK_FULL, INSUFFICIENT_PRIVILEGE, StorageError } from './storage-error.ts'

/** Options for `openPgliteDatabase`. */
export interface PgliteDatabaseOptions {
  /** Folder for the data; omitted → in memory (tests). */
  dataDir?: string
}

// The start-up progress timer is off: armed by a start that then fails, it would keep the process alive.
const START_PARAMS = [
  ...PGlite.defaultStartParams,
  '-c',
  `log_line_prefix=${PGLITE_LOG_LINE_PREFIX}`,
  '-c',
  'log_startup_progress_interval=0',
]

// initdb fails on a file with the file system's errno (WASI numbering) and no SQLSTATE: it is given
// the SQLSTATE PostgreSQL gives that errno, and the errno's text.
const FILE_ERRORS: Readonly<Record<number, { sqlState: string; text: string }>> = {
  2: { sqlState: INSUFFICIENT_PRIVILEGE, text: 'Permission denied' },
  63: { sqlState: INSUFFICIENT_PRIVILEGE, text: 'Operation not permitted' },
  69: { sqlState: INSUFFICIENT_PRIVILEGE, text: 'Read-only file system' },
  51: { sqlState: DISK_FULL, text: 'No space left on device' },
  19: { sqlState: DISK_FULL, text: 'Disk quota exceeded' },
}

function fileErrorOf(error: unknown): { sqlState: string; text: string } | undefined {
  const { name, errno } = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown
    errno?: unknown
  }
  return name === 'ErrnoError' && typeof errno === 'number' ? FILE_ERRORS[errno] : undefined
}

/**
 * The first of PGlite's folders (the data folder and those right in it) this user cannot write, as
 * the file system says it: PostgreSQL's own report of that may be misleading ("could not create lock
 * file": "File exists", from a folder another user owns).
 */
function unwritableFolder(dataPath: string): NodeJS.ErrnoException | undefined {
  let folders: string[]
  try {
    const entries = readdirSync(dataPath, { withFileTypes: true })
    folders = [
      dataPath,
      ...entries.filter((entry) => entry.isDirectory()).map((entry) => path.join(dataPath, entry.name)),
    ]
  } catch {
    return undefined
  }
  for (const folder of folders) {
    try {
      accessSync(folder, constants.W_OK | constants.X_OK)
    } catch (error) {
      return error as NodeJS.ErrnoException
    }
  }
  return undefined
}

/**
 * Why PGlite did not start, as a StorageError with PostgreSQL's SQLSTATE (`sqlState`) so the caller
 * can say what to fix; an error that neither PostgreSQL nor the file system explained is kept as it is.
 */
function startFailure(
  error: unknown,
  { dataPath, logged }: { dataPath: string | undefined; logged: LoggedFailure | undefined },
): unknown {
  const where = dataPath ? `in ${dataPath}` : 'in memory'
  const fileError = fileErrorOf(error)
  if (fileError !== undefined) {
    return new StorageError(
      'DATABASE_UNAVAILABLE',
      `PGlite could not create the database ${where}: ${fileError.text}`,
      { cause: error, sqlState: fileError.sqlState },
    )
  }
  const unwritable = dataPath === undefined ? undefined : unwritableFolder(dataPath)
  if (unwritable !== undefined) {
    return new StorageError('DATABASE_UNAVAILABLE', `PGlite cannot write its files: ${unwritable.message}`, {
      cause: error,
      sqlState: INSUFFICIENT_PRIVILEGE,
    })
  }
  if (logged === undefined) return error
  return new StorageError('DATABASE_UNAVAILABLE', `PostgreSQL ${where} did not start: ${logged.message}`, {
    cause: error,
    sqlState: logged.sqlState,
  })
}

const DISK_FULL_FIX = 'free space on that disk, or set ACP_DATA_DIR to a folder on a disk with room'

/** What the PANIC PostgreSQL logged last leaves to say: the database stopped, why, and what to do. */
function stopMessage(log: PgliteLog, where: string): string {
  const diskFull = log.diskFull
  const recovery =
    'then run the command again (or restart the server): it recovers what was committed from its log'
  if (diskFull !== undefined) {
    return `No space left on the disk that holds the embedded database ${where} (${diskFull.message}), so it stopped; ${DISK_FULL_FIX}, ${recovery}`
  }
  return `The embedded database ${where} stopped (PANIC: ${log.lastFailure?.message}); ${recovery}`
}

/** Runs a statement; a full disk fails it as a StorageError that says so. */
type Guard = <T>(work: () => Promise<T>) => Promise<T>

function wrap(target: PGlite | Transaction, guard: Guard): Queryable {
  return {
    query: <Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> =>
      guard(async () => {
        const result = await target.query<Row>(sql, params as unknown[] | undefined)
        return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length }
      }),
    exec: (sql: string) =>
      guard(async () => {
        await target.exec(sql)
      }),
  }
}

/**
 * Creates a folder and its missing parents. Not `mkdirSync(dir, { recursive: true })`: on Node 20 that
 * loops for ever where mkdir answers ENOENT although the parent exists (under /proc, say); here the
 * first real error is thrown.
 */
function createFolder(dir: string): void {
  try {
    mkdirSync(dir)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // Something is there: a folder (nothing to do), a file or a broken link, which the recursive form
    // reports as the start-up check words them.
    if (code === 'EEXIST') {
      mkdirSync(dir, { recursive: true })
      return
    }
    const parent = path.dirname(dir)
    if (code !== 'ENOENT' || parent === dir || existsSync(parent)) throw error
    createFolder(parent)
    mkdirSync(dir)
  }
}

/**
 * Opens embedded PostgreSQL (PGlite). A lock file guards the folder: PGlite has no lock of its own,
 * and two processes writing one folder would corrupt it. A start that fails on the folder's files
 * (not writable, a full disk) is a `StorageError` with PostgreSQL's SQLSTATE, and so is a statement
 * that finds the disk full (a `DATABASE_UNAVAILABLE`, as PostgreSQL's is). A PANIC ends the process
 * with one line on stderr and exit code 1, as it ends a PostgreSQL server: PGlite cannot run
 * anything after it, and may loop for ever in the statement that met it. The next open recovers.
 */
export async function openPgliteDatabase(options: PgliteDatabaseOptions = {}): Promise<Database> {
  let releaseLock = () => {}
  let dataPath: string | undefined
  if (options.dataDir) {
    createFolder(path.resolve(options.dataDir))
    releaseLock = acquireDataDirLock(options.dataDir)
    dataPath = path.join(options.dataDir, 'pgdata')
  }
  const where = options.dataDir ? `in ${options.dataDir}` : 'in memory'
  const log = new PgliteLog()
  // Called by PGlite from inside the statement it runs, so the process ends from here.
  const onStderr = (line: string): boolean => {
    if (log.read(line)?.severity === 'PANIC') {
      process.stderr.write(`Error: ${stopMessage(log, where)}\n`)
      releaseLock()
      process.exit(1)
    }
    return false
  }
  let db: PGlite
  try {
    db = await PGlite.create({ dataDir: dataPath, startParams: START_PARAMS, onStderr })
  } catch (error) {
    releaseLock()
    throw startFailure(error, { dataPath, logged: log.lastFailure })
  }
  const guard: Guard = async (work) => {
    try {
      return await work()
    } catch (error) {
      if ((error as { code?: unknown } | undefined)?.code !== DISK_FULL) throw error
      throw new StorageError(
        'DATABASE_UNAVAILABLE',
        `No space left on the disk that holds the embedded database ${where} (${(error as Error).message}); ${DISK_FULL_FIX}`,
        { cause: error, sqlState: DISK_FULL },
      )
    }
  }
  const direct = wrap(db, guard)
  const transaction = <T>(work: (tx: Queryable) => Promise<T>): Promise<T> =>
    guard(() => db.transaction((tx) => work(wrap(tx, guard))))
  // PGlite is one connection: everything is serialised by it, so a "dedicated connection" is the database itself.
  // Its transactions must go through db.transaction, which keeps other callers' statements out of them.
  const database: Database = {
    dialect: 'pglite',
    query: direct.query,
    exec: direct.exec,
    transaction,
    withConnection: (work) => work({ ...direct, transaction }),
    withQueryTimeout: () => database,
    async close() {
      try {
        await db.close()
      } finally {
        releaseLock()
      }
    },
  }
  return database
}
