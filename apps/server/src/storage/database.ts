/** Rows and the count of rows a statement touched. */
export interface QueryResult<Row> {
  rows: Row[]
  rowCount: number
}

/** Anything that runs a parameterised statement: the database or an open transaction. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>
  /** Runs several `;`-separated statements without parameters (migrations). */
  exec(sql: string): Promise<void>
}

/**
 * One connection held for a while (`Database.withConnection`): its statements and transactions all run on it,
 * so work done under a session-level advisory lock needs no second connection from the pool.
 */
export interface DedicatedConnection extends Queryable {
  /** Runs `work` in one transaction on this connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>
}

/** Which engine is behind a `Database`. Both speak the same SQL; tests run against both. */
export type DatabaseDialect = 'pglite' | 'postgres'

/**
 * The one storage interface of the server: embedded PGlite or PostgreSQL behind the same calls.
 * Repositories take a `Queryable`, so the same code runs inside and outside a transaction.
 */
export interface Database extends Queryable {
  readonly dialect: DatabaseDialect
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>
  /** Runs `work` on one dedicated connection (session-level advisory locks need this). */
  withConnection<T>(work: (connection: DedicatedConnection) => Promise<T>): Promise<T>
  /**
   * The same database, with every statement given at most `timeoutMs` for its answer: past it the
   * statement fails as `DATABASE_UNAVAILABLE` and its connection is closed. For request traffic, so a
   * server that stops answering on an open connection gets a 503 instead of holding the request;
   * jobs and migrations, which may run long, use the database itself. PGlite, in this process, has
   * no connection to lose and returns itself.
   */
  withQueryTimeout(timeoutMs: number): Database
  close(): Promise<void>
}
