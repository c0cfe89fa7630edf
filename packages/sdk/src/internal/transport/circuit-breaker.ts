/** `closed`: sending; `open`: paused after repeated failures; `half-open`: one probe request allowed. */
export type CircuitState = 'closed' | 'open' | 'half-open'

/** Options of `CircuitBreaker`. */
export interface CircuitBreakerOptions {
  failureThreshold: number
  cooldownMs: number
}

/**
 * Stops sending after `failureThreshold` consecutive failures and lets one probe through after
 * `cooldownMs`; the probe's result closes or re-opens it. Time is passed in, so it is deterministic.
 */
export class CircuitBreaker {
  private consecutiveFailures = 0
  private openedAtMs = 0
  private currentState: CircuitState = 'closed'

  constructor(private readonly options: CircuitBreakerOptions) {}

  get state(): CircuitState {
    return this.currentState
  }

  /** When sending may resume, or 0 when it may now. Moves an open circuit whose cool-down is over to half-open. */
  blockedUntilMs(nowMs: number): number {
    if (this.currentState !== 'open') return 0
    const reopenAtMs = this.openedAtMs + this.options.cooldownMs
    if (nowMs < reopenAtMs) return reopenAtMs
    this.currentState = 'half-open'
    return 0
  }

  recordSuccess(): void {
    this.consecutiveFailures = 0
    this.currentState = 'closed'
  }

  /** Returns true when this failure opened the circuit. */
  recordFailure(nowMs: number): boolean {
    this.consecutiveFailures++
    const shouldOpen =
      this.currentState === 'half-open' ||
      (this.currentState === 'closed' && this.consecutiveFailures >= this.options.failureThreshold)
    if (!shouldOpen) return false
    this.currentState = 'open'
    this.openedAtMs = nowMs
    return true
  }
}
