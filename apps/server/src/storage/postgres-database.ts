import pg from 'pg'
import type { Database, Queryable, QueryResult } from './database.ts'
import { StorageError } from './storage-error.ts'

/** Options for `openPostgresDatabase`. */
export interface PostgresDatabaseOptions {
  connectionString: string
  /** Most connections this process opens. */
  poolSize?: number
  /** A schema to create (if missing) and put first on the search path; tests use one each. */
  schema?: string
  applicationName?: string
  /**
   * Longest wait for a lock before a statement fails with SQLSTATE 55P03 (a 503 for a request);
   * default 10 s. Without it, a table locked by an operator holds every request for as long.
   */
  lockTimeoutMs?: number
}

/** Default `lockTimeoutMs`. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000

function wrap(client: pg.PoolClient | pg.Pool): Queryable {
  return {
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await client.query(sql, params as unknown[] | undefined)
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 }
    },
    async exec(sql: string) {
      await client.query(sql)
    },
  }
}

async function inTransaction<T>(client: pg.PoolClient, work: (tx: Queryable) => Promise<T>): Promise<T> {
  await client.query('BEGIN')
  try {
    const result = await work(wrap(client))
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  }
}

/**
 * Takes a client from the pool for a while. A checked-out client that loses its connection (the
 * server restarted, the backend was terminated) emits 'error'; the pool listens only to idle
 * clients, and an unheard 'error' would end the process. The failure reaches the query in progress,
 * or the next one, as its own error; the client is then released as broken.
 */
// Connections already given their session settings: each gets them once, on its first check-out.
const configured = new WeakSet<pg.PoolClient>()

async function checkOutConfigured(
  pool: pg.Pool,
  lockTimeoutMs: number,
): Promise<{ client: pg.PoolClient; release: () => void }> {
  const checkedOut = await checkOut(pool)
  if (!configured.has(checkedOut.client)) {
    try {
      await checkedOut.client.query(`SET lock_timeout = ${lockTimeoutMs}`)
    } catch (error) {
      checkedOut.release()
      throw error
    }
    configured.add(checkedOut.client)
  }
  return checkedOut
}

async function checkOut(pool: pg.Pool): Promise<{ client: pg.PoolClient; release: () => void }> {
  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (error) {
    // Whatever PostgreSQL or the network said (refused, timed out, "database does not allow
    // connections", a failed password), no statement ran: the database is unavailable, not the request bad.
    const reason = error instanceof Error ? error.message : String(error)
    throw new StorageError('DATABASE_UNAVAILABLE', `cannot connect to PostgreSQL: ${reason}`, {
      cause: error,
    })
  }
  let broken: Error | undefined
  const onError = (error: Error) => {
    broken = error
  }
  client.on('error', onError)
  return {
    client,
    release: () => {
      client.off('error', onError)
      client.release(broken)
    },
  }
}

/** Connects to PostgreSQL 15+ with a pool; fails fast with the driver's error when unreachable. */
export async function openPostgresDatabase(options: PostgresDatabaseOptions): Promise<Database> {
  if (options.schema && !/^[a-z_][a-z0-9_]*$/.test(options.schema)) {
    throw new Error(`schema "${options.schema}" must be a lower-case SQL identifier`)
  }
  const searchPath = options.schema ? `-c search_path=${options.schema},public` : undefined
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'ai-cost-profiler',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    ...(searchPath ? { options: searchPath } : {}),
  })
  // An idle client that loses its connection emits here; without a listener the process would crash.
  pool.on('error', () => {})
  const lockTimeoutMs = Math.trunc(options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS)
  const takeConnection = () => checkOutConfigured(pool, lockTimeoutMs)
  if (options.schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`)
  else await pool.query('SELECT 1')
  // Each statement outside a transaction checks a client out as the pool's own query() would, so a
  // failure to connect is told apart from a failed statement.
  const pooled: Queryable = {
    async query<Row>(sql: string, params?: readonly unknown[]) {
      const { client, release } = await takeConnection()
      try {
        return await wrap(client).query<Row>(sql, params)
      } finally {
        release()
      }
    },
    async exec(sql: string) {
      const { client, release } = await takeConnection()
      try {
        await client.query(sql)
      } finally {
        release()
      }
    },
  }

  return {
    dialect: 'postgres',
    query: pooled.query,
    exec: pooled.exec,
    async transaction(work) {
      const { client, release } = await takeConnection()
      try {
        return await inTransaction(client, work)
      } finally {
        release()
      }
    },
    async withConnection(work) {
      const { client, release } = await takeConnection()
      try {
        return await work({ ...wrap(client), transaction: (inner) => inTransaction(client, inner) })
      } finally {
        release()
      }
    },
    async close() {
      await pool.end()
    },
  }
}
