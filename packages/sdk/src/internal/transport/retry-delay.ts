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

/** Options of `retryDelayMs`. */
export interface RetryDelayOptions extends BackoffOptions {
  /** The server's `Retry-After`, already capped at `maxBackoffMs` (see `parseRetryAfterMs`). */
  retryAfterMs: number | undefined
}

// Up to this share of a `Retry-After` is added at random, so clients told the same time do not all
// come back at that instant.
const RETRY_AFTER_SPREAD = 0.1

/** A `Retry-After` plus up to a tenth of it at random, at most `maxBackoffMs`. */
export function retryAfterDelayMs(
  retryAfterMs: number,
  options: Pick<BackoffOptions, 'maxBackoffMs' | 'random'>,
): number {
  const random = options.random ?? Math.random
  return Math.min(options.maxBackoffMs, Math.round(retryAfterMs * (1 + random() * RETRY_AFTER_SPREAD)))
}

/**
 * The wait before retrying a failed request: the backoff, or when the server sent `Retry-After`, at
 * least that long (see `retryAfterDelayMs`) and never less than the backoff, so `Retry-After: 0`
 * still backs off. Never more than `maxBackoffMs`.
 */
export function retryDelayMs(failureCount: number, options: RetryDelayOptions): number {
  const backoffMs = backoffDelayMs(failureCount, options)
  if (options.retryAfterMs === undefined) return backoffMs
  return Math.max(backoffMs, retryAfterDelayMs(options.retryAfterMs, options))
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
