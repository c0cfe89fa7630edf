import type { CircuitState } from './internal/transport/circuit-breaker.ts'

/** Delivery counters of a profiler since it was created (`profiler.stats()`). */
export interface ProfilerStats {
  /** Events waiting to be sent. */
  queued: number
  /** Events in the request being sent now. */
  inFlight: number
  /** Events the server stored. */
  sent: number
  /**
   * Events the server already had: a resend after an answer that was lost, whose events the server
   * stored the first time. Stored once, and counted here rather than in `sent`.
   */
  duplicates: number
  /**
   * Events lost: queue overflow, refused by the server, or not yet sent when shutdown (or the flush
   * at process exit) ran out of time, the request then under way included, or when the process
   * exited without that flush (`process.exit()`, an uncaught exception).
   */
  dropped: number
  /** Requests that failed and were retried (network errors, timeouts, 408, 429, 5xx). */
  failedBatches: number
  circuitState: CircuitState
}
