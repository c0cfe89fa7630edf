/**
 * The HTTP attempts (the first request and its retries) of one recorded call. The call hands it to the
 * client's counting fetch inside the request itself (see `ATTEMPT_SCOPE_KEY`), so no async context has
 * to be carried from the call to its fetch.
 */
export interface AttemptScope {
  attempts: number
  /**
   * The recorded call whose request options this call received: a client wrapped by two profilers
   * makes one request for two recorded calls, and each of them counts its attempts.
   */
  readonly parent: AttemptScope | undefined
}

/**
 * The key under which a call's `AttemptScope` rides in the `fetchOptions` of a Stainless request
 * (OpenAI, Anthropic): the SDKs spread those options into the `RequestInit` of every attempt. A symbol
 * cannot be serialised onto the wire, and the counting fetch removes it before the real fetch runs.
 * Registered (`Symbol.for`) so that several copies of this package (ESM and CommonJS builds) agree.
 */
export const ATTEMPT_SCOPE_KEY: unique symbol = Symbol.for('ai-cost-profiler.attempt-scope')

/** Counts one attempt for the scope and every enclosing call's scope. */
export function countAttempt(scope: AttemptScope): void {
  for (let current: AttemptScope | undefined = scope; current; current = current.parent) current.attempts++
}

/** The scope carried by a `RequestInit` or `fetchOptions` object, if any. */
export function readAttemptScope(holder: unknown): AttemptScope | undefined {
  if (typeof holder !== 'object' || holder === null) return undefined
  const scope = (holder as { [ATTEMPT_SCOPE_KEY]?: unknown })[ATTEMPT_SCOPE_KEY]
  return typeof scope === 'object' && scope !== null ? (scope as AttemptScope) : undefined
}
