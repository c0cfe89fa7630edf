/**
 * Reads a token count from an untrusted provider payload: a non-negative whole number, or 0 for
 * anything else (absent, null, negative, fractional or not a number). Provider payloads are not
 * typed at runtime, and a normaliser must never throw on a shape it did not expect.
 */
export function readTokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0
}

/** Returns `count` when it is positive, so optional buckets are omitted rather than set to 0. */
export function positiveOrUndefined(count: number): number | undefined {
  return count > 0 ? count : undefined
}
