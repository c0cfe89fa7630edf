const marker = Symbol.for('ai-cost-profiler.server.storage-error')

/** Stable codes of storage failures. */
export type StorageErrorCode =
  | 'DATA_DIR_LOCKED'
  | 'MIGRATION_CHECKSUM_MISMATCH'
  | 'MIGRATION_UNKNOWN'
  | 'MIGRATION_MISSING'
  | 'MIGRATION_FAILED'
  | 'DATABASE_UNAVAILABLE'

/** PostgreSQL's SQLSTATE for a full disk (disk_full). */
export const DISK_FULL = '53100'
/** PostgreSQL's SQLSTATE for a file it may not write (EACCES, EPERM and EROFS alike). */
export const INSUFFICIENT_PRIVILEGE = '42501'

/** Errors of the storage layer; the HTTP layer and the CLI map them by `code`. */
export class StorageError extends Error {
  readonly code: StorageErrorCode
  /**
   * True when the database took a statement and never answered it within its time limit: trying
   * again at once would only wait as long again (still a `DATABASE_UNAVAILABLE` for the breaker).
   */
  readonly unanswered: boolean
  /**
   * The SQLSTATE of PostgreSQL's own report of the failure, when it made one (`53100` a full disk,
   * `42501` a file it may not write): how the caller tells what to fix without reading the message.
   */
  readonly sqlState: string | undefined
  readonly [marker] = true

  constructor(
    code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown; unanswered?: boolean; sqlState?: string },
  ) {
    super(message, options)
    this.name = 'StorageError'
    this.code = code
    this.unanswered = options?.unanswered ?? false
    this.sqlState = options?.sqlState
  }

  /** True for any StorageError. */
  static isInstance(value: unknown): value is StorageError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true
  }
}
