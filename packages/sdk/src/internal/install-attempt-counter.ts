import { ATTEMPT_SCOPE_KEY, countAttempt, readAttemptScope } from './attempt-scope.ts'

type FetchLike = (input: unknown, init?: unknown) => Promise<unknown>

/** Marks a counting fetch, so a client that already has one (a `withOptions()` copy, a second profiler) keeps it. */
const COUNTING_FETCH_KEY = Symbol.for('ai-cost-profiler.counting-fetch')

function isCountingFetch(value: unknown): boolean {
  return typeof value === 'function' && Object.hasOwn(value, COUNTING_FETCH_KEY)
}

/**
 * Replaces a Stainless-generated client's `fetch` (OpenAI, Anthropic) with one that counts each HTTP
 * attempt, then calls the original. Those clients retry inside one method call and read `this.fetch`
 * per attempt, so this is the one place every retry is visible. An attempt is counted for the recorded
 * call whose `AttemptScope` its `RequestInit` carries; the scope is removed before the original fetch
 * sees the init, and requests without one are forwarded as they are. Returns false when the client
 * has no replaceable `fetch`.
 */
export function installAttemptCounter(client: object): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(client, 'fetch')
  if (!descriptor || typeof descriptor.value !== 'function') return false
  if (isCountingFetch(descriptor.value)) return true
  if (!descriptor.writable) return false
  const originalFetch = descriptor.value as FetchLike
  const fetchIgnoresTheKey = originalFetch === globalThis.fetch
  const countingFetch: FetchLike = (input, init) => {
    const scope = readAttemptScope(init)
    // Called without `this`, as the SDKs do: browser-style fetch implementations reject other receivers.
    if (!scope) return originalFetch.call(undefined, input, init)
    countAttempt(scope)
    // Node's own fetch reads only the fields it knows, so it takes the init as it is: copying it cost
    // more than the whole count. Any other fetch (the user's) gets a copy without the key, and the
    // SDK's init is left as it was.
    if (fetchIgnoresTheKey) return originalFetch.call(undefined, input, init)
    const { [ATTEMPT_SCOPE_KEY]: _scope, ...forwarded } = init as Record<PropertyKey, unknown>
    return originalFetch.call(undefined, input, forwarded)
  }
  Object.defineProperty(countingFetch, COUNTING_FETCH_KEY, { value: true })
  Object.defineProperty(client, 'fetch', { ...descriptor, value: countingFetch })
  return true
}
