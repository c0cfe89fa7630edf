/** Options of `backoffDelayMs`. */
export interface BackoffOptions {
  initialBackoffMs: number
  maxBackoffMs: number
  /** A number in [0, 1); injectable so tests are deterministic. */
  random?: () => number
}

/**
 * Exponential backoff with "equal jitter": half the doubled delay is fixed, half is random, so
 * many clients recovering at once do not retry in lock-step yet still back off.
 */
export function backoffDelayMs(failureCount: number, options: BackoffOptions): number {
  const exponent = Math.min(Math.max(failureCount - 1, 0), 30)
  const ceilingMs = Math.min(options.maxBackoffMs, options.initialBackoffMs * 2 ** exponent)
  const random = options.random ?? Math.random
  return Math.round(ceilingMs / 2 + random() * (ceilingMs / 2))
}

/**
 * Reads `Retry-After` (delta-seconds or an HTTP date) as a delay in milliseconds, capped at `maxMs`.
 * Returns undefined when the header is absent or unreadable.
 */
export function parseRetryAfterMs(header: string | null, nowMs: number, maxMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined
  const trimmed = header.trim()
  let delayMs: number
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    delayMs = Number(trimmed) * 1000
  } else {
    const dateMs = Date.parse(trimmed)
    if (Number.isNaN(dateMs)) return undefined
    delayMs = dateMs - nowMs
  }
  return Math.min(Math.max(0, Math.round(delayMs)), maxMs)
}
