const marker = Symbol.for('ai-cost-profiler.server.storage-error')

/** Stable codes of storage failures. */
export type StorageErrorCode =
  | 'DATA_DIR_LOCKED'
  | 'MIGRATION_CHECKSUM_MISMATCH'
  | 'MIGRATION_UNKNOWN'
  | 'MIGRATION_MISSING'
  | 'MIGRATION_FAILED'
  | 'DATABASE_UNAVAILABLE'

/** Errors of the storage layer; the HTTP layer and the CLI map them by `code`. */
export class StorageError extends Error {
  readonly code: StorageErrorCode
  readonly [marker] = true

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StorageError'
    this.code = code
  }

  /** True for any StorageError. */
  static isInstance(value: unknown): value is StorageError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true
  }
}
