import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { PGlite, type Transaction } from '@electric-sql/pglite'
import { acquireDataDirLock } from './data-dir-lock.ts'
import type { Database, Queryable, QueryResult } from './database.ts'

/** Options for `openPgliteDatabase`. */
export interface PgliteDatabaseOptions {
  /** Folder for the data; omitted → in memory (tests). */
  dataDir?: string
}

function wrap(target: PGlite | Transaction): Queryable {
  return {
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await target.query<Row>(sql, params as unknown[] | undefined)
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length }
    },
    async exec(sql: string) {
      await target.exec(sql)
    },
  }
}

/**
 * Opens embedded PostgreSQL (PGlite). A lock file guards the folder: PGlite has no lock of its own,
 * and two processes writing one folder would corrupt it.
 */
export async function openPgliteDatabase(options: PgliteDatabaseOptions = {}): Promise<Database> {
  let releaseLock = () => {}
  let dataPath: string | undefined
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true })
    releaseLock = acquireDataDirLock(options.dataDir)
    dataPath = path.join(options.dataDir, 'pgdata')
  }
  let db: PGlite
  try {
    db = await PGlite.create(dataPath)
  } catch (error) {
    releaseLock()
    throw error
  }
  const direct = wrap(db)
  const transaction = <T>(work: (tx: Queryable) => Promise<T>): Promise<T> =>
    db.transaction((tx) => work(wrap(tx)))
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
