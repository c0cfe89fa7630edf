/** closed: calls pass; open: calls fail at once; half-open: one trial call decides. */
export type CircuitState = 'closed' | 'open' | 'half-open'

/** Options for `CircuitBreaker`. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold?: number
  /** How long the circuit stays open before one trial call. Default 5 s. */
  cooldownMs?: number
  now?: () => number
}

/** Thrown instead of calling through while the circuit is open. */
export class CircuitOpenError extends Error {
  readonly retryAfterMs: number
  constructor(retryAfterMs: number) {
    super('the database is unavailable; not trying again until the cool-down ends')
    this.name = 'CircuitOpenError'
    this.retryAfterMs = retryAfterMs
  }
}

/**
 * Fails fast while a dependency is down, so requests are answered at once with 503 instead of
 * piling up behind connection time-outs.
 */
export class CircuitBreaker {
  #state: CircuitState = 'closed'
  #failures = 0
  #openedAtMs = 0
  #trialInFlight = false
  readonly #threshold: number
  readonly #cooldownMs: number
  readonly #now: () => number

  constructor(options: CircuitBreakerOptions = {}) {
    this.#threshold = options.failureThreshold ?? 5
    this.#cooldownMs = options.cooldownMs ?? 5_000
    this.#now = options.now ?? Date.now
  }

  /** The state now (an open circuit whose cool-down ended reports half-open). */
  get state(): CircuitState {
    if (this.#state === 'open' && this.#now() - this.#openedAtMs >= this.#cooldownMs) return 'half-open'
    return this.#state
  }

  /** Runs `work` unless the circuit is open; `countsAsFailure` decides which errors trip it. */
  async run<T>(work: () => Promise<T>, countsAsFailure: (error: unknown) => boolean): Promise<T> {
    const state = this.state
    if (state === 'open' || (state === 'half-open' && this.#trialInFlight)) {
      throw new CircuitOpenError(Math.max(0, this.#cooldownMs - (this.#now() - this.#openedAtMs)))
    }
    const isTrial = state === 'half-open'
    if (isTrial) this.#trialInFlight = true
    try {
      const result = await work()
      this.#state = 'closed'
      this.#failures = 0
      return result
    } catch (error) {
      if (countsAsFailure(error)) {
        this.#failures++
        if (isTrial || this.#failures >= this.#threshold) {
          this.#state = 'open'
          this.#openedAtMs = this.#now()
        }
      }
      throw error
    } finally {
      if (isTrial) this.#trialInFlight = false
    }
  }
}
