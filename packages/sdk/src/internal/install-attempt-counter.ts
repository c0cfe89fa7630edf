import { countAttempt } from './attempt-scope.ts'

const installed = new WeakSet<object>()

type FetchLike = (input: unknown, init?: unknown) => Promise<unknown>

/**
 * Replaces a Stainless-generated client's `fetch` (OpenAI, Anthropic) with one that counts each HTTP
 * attempt, then calls the original. Those clients retry inside one method call and read `this.fetch`
 * per attempt, so this is the one place every retry is visible. Outside a recorded call it only
 * forwards. Returns false when the client has no replaceable `fetch`.
 */
export function installAttemptCounter(client: object): boolean {
  if (installed.has(client)) return true
  const descriptor = Object.getOwnPropertyDescriptor(client, 'fetch')
  if (!descriptor || typeof descriptor.value !== 'function' || !descriptor.writable) return false
  const originalFetch = descriptor.value as FetchLike
  const countingFetch: FetchLike = (input, init) => {
    countAttempt(client)
    // Called without `this`, as the SDKs do: browser-style fetch implementations reject other receivers.
    return originalFetch.call(undefined, input, init)
  }
  Object.defineProperty(client, 'fetch', { ...descriptor, value: countingFetch })
  installed.add(client)
  return true
}
