// SQLSTATE classes worth another try: connection exceptions, insufficient resources, operator
// intervention (shutdown, crash recovery), serialization failures and deadlocks.
const TRANSIENT_SQLSTATE = /^(08|53|57P|40001|40P01)/

/**
 * True for failures that may pass on a retry. A driver error with a SQLSTATE is judged by it
 * (constraint violations, 23xxx, never are); one without a SQLSTATE is a connection-level failure
 * (refused, reset, pool timeout), which is.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return TRANSIENT_SQLSTATE.test(code)
  return true
}
