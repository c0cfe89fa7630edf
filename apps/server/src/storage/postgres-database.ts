import pg from 'pg'
import type { Database, Queryable, QueryResult } from './database.ts'
import { normalizeSslMode } from './normalize-ssl-mode.ts'
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
  /** Longest wait for a connection, new or from the pool, before a statement fails; default 5 s. */
  connectTimeoutMs?: number
}

/** Default `lockTimeoutMs`. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000

/** Default `queryTimeoutMs` of the request traffic's view (see `Database.withQueryTimeout`). */
export const DEFAULT_REQUEST_QUERY_TIMEOUT_MS = 30_000

/** The driver's error for a statement that got no answer within its `query_timeout`. */
const QUERY_TIMEOUT_MESSAGE = 'Query read timeout'

/** A checked-out client and what its statements may take. */
interface Session {
  client: pg.PoolClient
  /** 0 for no limit. */
  timeoutMs: number
  /** Set once a statement went unanswered: the connection is closed on release, never reused. */
  lost: boolean
  /** Asks the server, on a connection of its own, to stop the statement this session left unanswered. */
  cancelOnServer: () => void
}

/** How to reach the server outside the pool (to cancel a statement). */
type ConnectionSettings = Pick<pg.ClientConfig, 'connectionString' | 'application_name'>

// Closing a connection does not stop the statement it was running: a slow server (not a silent one)
// would go on with every abandoned statement, and its locks, while the retried requests add more.
function cancelBackend(settings: ConnectionSettings, processId: number): void {
  const canceller = new pg.Client({ ...settings, connectionTimeoutMillis: 5_000, query_timeout: 5_000 })
  canceller.on('error', () => {})
  canceller
    .connect()
    .then(() => canceller.query('SELECT pg_cancel_backend($1)', [processId]))
    .catch(() => undefined)
    .finally(() => canceller.end().catch(() => undefined))
}

function wrap(session: Session): Queryable {
  const run = async (sql: string, params?: readonly unknown[]) => {
    try {
      if (session.timeoutMs === 0) return await session.client.query(sql, params as unknown[] | undefined)
      // The driver reads `query_timeout` from a statement's config too; its types only know the pool's.
      const config = { text: sql, values: params as unknown[] | undefined, query_timeout: session.timeoutMs }
      return await session.client.query(config as pg.QueryConfig)
    } catch (error) {
      if (!(error instanceof Error) || error.message !== QUERY_TIMEOUT_MESSAGE) throw error
      // The answer may still come, or never: either way this connection's state is unknown.
      session.lost = true
      session.cancelOnServer()
      throw new StorageError(
        'DATABASE_UNAVAILABLE',
        `PostgreSQL did not answer within ${session.timeoutMs / 1000} s`,
        { cause: error, unanswered: true },
      )
    }
  }
  return {
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await run(sql, params)
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 }
    },
    async exec(sql: string) {
      await run(sql)
    },
  }
}

async function inTransaction<T>(session: Session, work: (tx: Queryable) => Promise<T>): Promise<T> {
  const tx = wrap(session)
  await tx.exec('BEGIN')
  try {
    const result = await work(tx)
    await tx.exec('COMMIT')
    return result
  } catch (error) {
    // A lost connection is closed on release, which ends its transaction: no ROLLBACK to wait for.
    if (!session.lost) await tx.exec('ROLLBACK').catch(() => {})
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
  settings: { lockTimeoutMs: number; queryTimeoutMs: number; connection: ConnectionSettings },
): Promise<{ session: Session; release: () => void }> {
  const checkedOut = await checkOut(pool, settings.queryTimeoutMs, settings.connection)
  if (!configured.has(checkedOut.session.client)) {
    try {
      await wrap(checkedOut.session).exec(`SET lock_timeout = ${settings.lockTimeoutMs}`)
    } catch (error) {
      checkedOut.release()
      throw error
    }
    configured.add(checkedOut.session.client)
  }
  return checkedOut
}

async function checkOut(
  pool: pg.Pool,
  queryTimeoutMs: number,
  connection: ConnectionSettings,
): Promise<{ session: Session; release: () => void }> {
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
  const processId = (client as unknown as { processID?: number }).processID
  const session: Session = {
    client,
    timeoutMs: queryTimeoutMs,
    lost: false,
    cancelOnServer: () => {
      if (processId !== undefined) cancelBackend(connection, processId)
    },
  }
  return {
    session,
    release: () => {
      client.off('error', onError)
      // A client released with an error is closed by the pool instead of being reused.
      client.release(broken ?? (session.lost ? new Error('a statement went unanswered') : undefined))
    },
  }
}

/** Connects to PostgreSQL 15+ with a pool; fails fast with the driver's error when unreachable. */
export async function openPostgresDatabase(options: PostgresDatabaseOptions): Promise<Database> {
  if (options.schema && !/^[a-z_][a-z0-9_]*$/.test(options.schema)) {
    throw new Error(`schema "${options.schema}" must be a lower-case SQL identifier`)
  }
  const searchPath = options.schema ? `-c search_path=${options.schema},public` : undefined
  const connection: ConnectionSettings = {
    connectionString: normalizeSslMode(options.connectionString),
    application_name: options.applicationName ?? 'ai-cost-profiler',
  }
  const pool = new pg.Pool({
    ...connection,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    // A server or network gone without a word is noticed on idle connections too.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(searchPath ? { options: searchPath } : {}),
  })
  // An idle client that loses its connection emits here; without a listener the process would crash.
  pool.on('error', () => {})
  const lockTimeoutMs = Math.trunc(options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS)
  if (options.schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`)
  else await pool.query('SELECT 1')

  // One view of the pool per statement time limit (0: none); they share its connections.
  const view = (queryTimeoutMs: number): Database => {
    const takeConnection = () => checkOutConfigured(pool, { lockTimeoutMs, queryTimeoutMs, connection })
    // Each statement outside a transaction checks a client out as the pool's own query() would, so a
    // failure to connect is told apart from a failed statement.
    return {
      dialect: 'postgres',
      async query<Row>(sql: string, params?: readonly unknown[]) {
        const { session, release } = await takeConnection()
        try {
          return await wrap(session).query<Row>(sql, params)
        } finally {
          release()
        }
      },
      async exec(sql: string) {
        const { session, release } = await takeConnection()
        try {
          await wrap(session).exec(sql)
        } finally {
          release()
        }
      },
      async transaction(work) {
        const { session, release } = await takeConnection()
        try {
          return await inTransaction(session, work)
        } finally {
          release()
        }
      },
      async withConnection(work) {
        const { session, release } = await takeConnection()
        try {
          return await work({ ...wrap(session), transaction: (inner) => inTransaction(session, inner) })
        } finally {
          release()
        }
      },
      withQueryTimeout: (timeoutMs) => view(Math.max(1, Math.trunc(timeoutMs))),
      async close() {
        await pool.end()
      },
    }
  }
  return view(0)
}
