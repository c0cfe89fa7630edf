/** A benchmark option that is missing, unknown or out of range: reported with the usage, not as a crash. */
export class BenchOptionError extends Error {
  override name = 'BenchOptionError'
}

/** True for a `BenchOptionError` and for the errors `util.parseArgs` throws on unknown or malformed options. */
export function isBenchOptionError(error: unknown): error is Error {
  if (error instanceof BenchOptionError) return true
  const code = (error as { code?: unknown } | null)?.code
  return error instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')
}
