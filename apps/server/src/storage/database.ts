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
  withConnection<T>(work: (connection: Queryable) => Promise<T>): Promise<T>
  close(): Promise<void>
}
