/** How many requests a `@google/genai` client has started (see `countGenAiRequests`). */
export interface GenAiRequestCount {
  started: number
}

/** Marks a counted client, so that wrapping it again (or with another profiler) counts once. */
const REQUEST_COUNT_KEY = Symbol.for('ai-cost-profiler.genai-request-count')

/**
 * Counts the requests a `@google/genai` client starts through its `apiClient` (`request()` and
 * `requestStream()`, which every call of the API goes through, after the SDK has checked its
 * arguments), by wrapping those two methods on that one object. A call that failed while the count
 * stood still was refused by the client before it sent anything: its methods are async, so they
 * reject on arguments they refuse where other clients throw. Requests of other calls in the meantime
 * hide that, never the reverse. Undefined when the client has no such methods.
 */
export function countGenAiRequests(apiClient: unknown): GenAiRequestCount | undefined {
  if (typeof apiClient !== 'object' || apiClient === null) return undefined
  const holder = apiClient as Record<PropertyKey, unknown>
  const existing = holder[REQUEST_COUNT_KEY]
  if (typeof existing === 'object' && existing !== null) return existing as GenAiRequestCount
  const request = holder.request
  const requestStream = holder.requestStream
  if (typeof request !== 'function' || typeof requestStream !== 'function') return undefined
  if (!Object.isExtensible(apiClient)) return undefined
  const count: GenAiRequestCount = { started: 0 }
  const counting = (original: (...args: unknown[]) => unknown) =>
    function countingRequest(this: unknown, ...args: unknown[]) {
      count.started++
      return original.apply(this, args)
    }
  // Not enumerable, as the methods they stand in for, so the client reads and copies as it did.
  const hidden = { writable: true, enumerable: false, configurable: true }
  Object.defineProperty(apiClient, 'request', { ...hidden, value: counting(request as never) })
  Object.defineProperty(apiClient, 'requestStream', { ...hidden, value: counting(requestStream as never) })
  Object.defineProperty(apiClient, REQUEST_COUNT_KEY, { ...hidden, value: count })
  return count
}
