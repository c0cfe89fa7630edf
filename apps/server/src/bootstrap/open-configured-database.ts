import { accessSync, constants, existsSync, lstatSync, statSync } from 'node:fs'
import path from 'node:path'
import { EnvError, type ServerEnv } from '../env.ts'
import { isTransientDatabaseError } from '../resilience/is-transient-database-error.ts'
import type { Database } from '../storage/database.ts'
import { openDatabase } from '../storage/open-database.ts'
import { DISK_FULL, INSUFFICIENT_PRIVILEGE, StorageError } from '../storage/storage-error.ts'

type DatabaseEnv = Pick<ServerEnv, 'DATABASE_URL' | 'ACP_DB_POOL_SIZE' | 'dataDir'>

/** The error and the errors it wraps (`cause`), outermost first: a wrapper may hide the driver's error. */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = []
  for (let current = error; typeof current === 'object' && current !== null; ) {
    if (chain.includes(current)) break
    chain.push(current)
    current = (current as { cause?: unknown }).cause
  }
  return chain
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Host and port, and the database, that a connection string names; never its password. */
function describeServer(databaseUrl: string): { server: string; database: string | undefined } {
  try {
    const url = new URL(databaseUrl)
    const host = url.hostname || url.searchParams.get('host') || 'localhost'
    const database = decodeURIComponent(url.pathname.slice(1)) || undefined
    return { server: `${host}:${url.port || '5432'}`, database }
  } catch {
    return { server: 'the server DATABASE_URL names', database: undefined }
  }
}

function connectionReason(error: unknown): string {
  switch (codeOf(error)) {
    case 'ECONNREFUSED':
      return 'connection refused: nothing listens there'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'its host name does not resolve'
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no answer'
    default:
      return messageOf(error)
  }
}

function postgresProblem(error: unknown, databaseUrl: string): EnvError | undefined {
  const { server, database } = describeServer(databaseUrl)
  const chain = causeChain(error)
  // SQLSTATE 3D000 invalid_catalog_name: the server runs but has no such database.
  if (chain.some((cause) => codeOf(cause) === '3D000')) {
    const name = database ?? 'NAME'
    return new EnvError([
      `DATABASE_URL: PostgreSQL at ${server} has no database "${name}"; create it (createdb ${name}) or correct the database name in DATABASE_URL`,
    ])
  }
  // Class 28, invalid authorization: 28P01 a wrong password, 28000 an unknown role or no pg_hba.conf entry.
  const refused = chain.find((cause) => codeOf(cause) === '28P01' || codeOf(cause) === '28000')
  if (refused !== undefined) {
    return new EnvError([
      `DATABASE_URL: PostgreSQL at ${server} refused the login (${messageOf(refused)}); correct the user and password in DATABASE_URL, or let that user in on the server`,
    ])
  }
  // The client raises this one without a code: the server answered "no" to SSL, which the URL asked for.
  if (chain.some((cause) => messageOf(cause) === 'The server does not support SSL connections')) {
    return new EnvError([
      `DATABASE_URL: PostgreSQL at ${server} does not accept SSL connections, and DATABASE_URL asks for SSL (sslmode or ssl in its query); remove that parameter (or set sslmode=disable), or enable SSL on the server`,
    ])
  }
  // The innermost: the driver's own error says best why the connection failed.
  const unreachable = chain.findLast(isTransientDatabaseError)
  if (unreachable !== undefined) {
    return new EnvError([
      `DATABASE_URL: cannot connect to PostgreSQL at ${server} (${connectionReason(unreachable)}); start PostgreSQL there, or set DATABASE_URL to a server that runs (unset, the embedded database in ACP_DATA_DIR is used)`,
    ])
  }
  return undefined
}

const DATA_DIR_REASONS: Readonly<Record<string, string>> = {
  EEXIST: 'it is a file, not a folder',
  ENOTDIR: 'a part of its path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
}

// The folder is created with its parents, so creating it fails with ENOENT only when a link on its path
// points nowhere. An ENOENT from elsewhere is PGlite's own, and is not reworded.
const MISSING_PATH_REASON = 'a part of its path does not exist, or is a broken link'

const OTHER_FOLDER_FIX =
  'set ACP_DATA_DIR to a folder this user can write (it is created if missing), or set DATABASE_URL to use PostgreSQL'
const DISK_FULL_FIX =
  'free space on that disk, or set ACP_DATA_DIR to a folder on a disk with room (it is created if missing), or set DATABASE_URL to use PostgreSQL'

/**
 * What keeps the data folder from holding the database, and how to fix it: from the errno of a
 * failed file operation, or from the SQLSTATE of PostgreSQL's report, which is quoted.
 */
function dataDirReason(cause: unknown, dataDir: string): { reason: string; fix: string } | undefined {
  const code = codeOf(cause)
  if (code === 'ENOENT' && (cause as NodeJS.ErrnoException).syscall === 'mkdir') {
    return { reason: MISSING_PATH_REASON, fix: OTHER_FOLDER_FIX }
  }
  if (code === 'ENOSPC') return { reason: 'the disk is full', fix: DISK_FULL_FIX }
  const sqlState = StorageError.isInstance(cause) ? cause.sqlState : undefined
  if (sqlState === DISK_FULL) return { reason: `the disk is full (${messageOf(cause)})`, fix: DISK_FULL_FIX }
  if (sqlState === INSUFFICIENT_PRIVILEGE) {
    return {
      reason: `its files cannot be written (${messageOf(cause)})`,
      fix: `let this user write ${dataDir} and everything in it, or ${OTHER_FOLDER_FIX}`,
    }
  }
  const reason = DATA_DIR_REASONS[code ?? '']
  return reason === undefined ? undefined : { reason, fix: OTHER_FOLDER_FIX }
}

function dataDirProblem(error: unknown, dataDir: string): EnvError | undefined {
  for (const cause of causeChain(error)) {
    const problem = dataDirReason(cause, dataDir)
    if (problem === undefined) continue
    return new EnvError([
      `ACP_DATA_DIR: cannot keep the embedded database in ${dataDir}: ${problem.reason}; ${problem.fix}`,
    ])
  }
  return undefined
}

/**
 * Opens the database the environment names. A database this machine cannot reach or use (connection
 * refused or timed out, no such database, login refused, SSL asked of a server without it, a data
 * folder that is a file, a broken link or not writable) becomes an `EnvError` naming `DATABASE_URL` or
 * `ACP_DATA_DIR` and how to fix it, which the CLI prints as one line; any other failure is thrown as
 * it is.
 * @example
 * const db = await openConfiguredDatabase(parseEnv())
 */
export async function openConfiguredDatabase(env: DatabaseEnv): Promise<Database> {
  try {
    return await openDatabase(env)
  } catch (error) {
    const problem = env.DATABASE_URL
      ? postgresProblem(error, env.DATABASE_URL)
      : dataDirProblem(error, env.dataDir)
    throw problem ?? error
  }
}

// The folder inside ACP_DATA_DIR that PGlite keeps its files in (pglite-database.ts), and the file
// PGlite looks for in it: without it, opening runs initdb there, so a folder left empty or half
// written by an interrupted first start holds no database yet.
const PGLITE_FILES_FOLDER = 'pgdata'
const CLUSTER_MARK = 'PG_VERSION'

function canWriteFolder(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK | constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * Whether `folder`, missing, would be created by opening: its nearest existing ancestor is a folder
 * this user can write. Not when a link on the way points nowhere, or a part of the path is a file.
 */
function couldCreateFolder(folder: string): boolean {
  try {
    for (let current = folder; ; current = path.dirname(current)) {
      if (lstatSync(current, { throwIfNoEntry: false }) !== undefined) {
        // A link that points nowhere (statSync, which follows it, finds nothing) is a broken link.
        return statSync(current, { throwIfNoEntry: false })?.isDirectory() === true && canWriteFolder(current)
      }
      if (path.dirname(current) === current) return false
    }
  } catch {
    return false
  }
}

/**
 * Whether opening would create the embedded database: ACP_DATA_DIR holds none, and opening would
 * succeed in making one there. A path that cannot hold one (a file, a broken link, a folder this
 * user cannot write) is left to opening, which fails on it before it creates anything, and says why.
 */
function wouldCreateEmbeddedDatabase(dataDir: string): boolean {
  const pgliteFiles = path.join(dataDir, PGLITE_FILES_FOLDER)
  try {
    if (!statSync(dataDir).isDirectory() || existsSync(path.join(pgliteFiles, CLUSTER_MARK))) return false
  } catch (error) {
    return codeOf(error) === 'ENOENT' && couldCreateFolder(dataDir)
  }
  return canWriteFolder(dataDir) && (!existsSync(pgliteFiles) || canWriteFolder(pgliteFiles))
}

/**
 * Opens the database the environment names as `openConfiguredDatabase` does, but only if it exists:
 * `undefined` when ACP_DATA_DIR holds no embedded database yet, which is not created (a PostgreSQL
 * database is never created either: one that does not exist is an `EnvError`). For commands that only
 * read, and dry runs.
 * @example
 * const db = await openExistingConfiguredDatabase(env)
 * if (db === undefined) console.log('There is no database yet.')
 */
export async function openExistingConfiguredDatabase(env: DatabaseEnv): Promise<Database | undefined> {
  if (!env.DATABASE_URL && wouldCreateEmbeddedDatabase(env.dataDir)) return undefined
  return openConfiguredDatabase(env)
}
