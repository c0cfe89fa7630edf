import { StorageError } from '../storage/storage-error.ts'

// SQLSTATEs worth another try: connection exceptions (class 08), a full disk or too many
// connections, a server shutting down, crashing or starting (57P01-03), serialization failures and
// deadlocks, which a retry of the same statement resolves, and a lock not granted within
// lock_timeout (55P03). Anything else (a constraint, a numeric overflow, out of memory, a syntax
// error) fails again the same way.
const TRANSIENT_SQLSTATE = /^(08[0-9A-Z]{3}|53100|53300|57P01|57P02|57P03|40001|40P01|55P03)$/
const SQLSTATE = /^[0-9A-Z]{5}$/

// Node's codes for a socket or name lookup that failed: the database host is away or unreachable.
const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
])

// node-postgres (pg 8, pg-pool 3) raises these connection failures as plain errors with no code, so
// their text is the only mark. Listed exactly as the driver writes them; any other error without a
// code (a RangeError, a TypeError, a bug) is not the database's and must not be retried.
const DRIVER_CONNECTION_MESSAGES: ReadonlySet<string> = new Set([
  'Connection terminated',
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  // The pool was closed (shutdown): this process can no longer reach the database; another may.
  'Cannot use a pool after calling end on the pool',
])

/**
 * True for failures that may pass on a retry because the database, not the request, failed: lost
 * or refused connections, a server shutting down, contention. Callers answer these with 503 and
 * Retry-After; every other error is a bug or a bad request and must not be retried.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  if (StorageError.isInstance(error)) return error.code === 'DATABASE_UNAVAILABLE'
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    // Checked first: EPIPE has the shape of a SQLSTATE.
    if (CONNECTION_ERROR_CODES.has(code)) return true
    return SQLSTATE.test(code) && TRANSIENT_SQLSTATE.test(code)
  }
  return (
    error instanceof Error && error.constructor === Error && DRIVER_CONNECTION_MESSAGES.has(error.message)
  )
}
