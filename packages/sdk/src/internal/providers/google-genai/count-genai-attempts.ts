import type { AttemptScope } from '../../attempt-scope.ts'
import { isPlainObject } from '../../is-plain-object.ts'
import { asFields } from '../read-fields.ts'

type Fetch = (input: unknown, init?: unknown) => Promise<unknown>

/** The parameters of a `@google/genai` call with a counting fetch in them, and its scope. */
export interface CountedGenAiCall {
  params: Record<string, unknown>
  scope: AttemptScope
}

function asFetch(value: unknown): Fetch | undefined {
  return typeof value === 'function' ? (value as Fetch) : undefined
}

/**
 * Counts the HTTP attempts of one `@google/genai` call (`retryOptions` makes it retry) through the
 * `fetch` its per-call `config.httpOptions` may carry, which the SDK prefers to the client's. The
 * counting fetch calls the fetch the call would have used: the call's own, else the client's
 * (`apiClient.clientOptions.httpOptions.fetch`), else the global `fetch` at the time of the request.
 * When the client's options cannot be read, the call is left as it is, uncounted, rather than risk
 * passing its requests by the client's own fetch.
 *
 * Automatic function calling sends several requests in one call, each after a success: only a request
 * after a failed one (an error status or a thrown fetch) counts as a retry. The caller's objects are
 * copied, never changed.
 */
export function countGenAiAttempts(params: unknown, models: object): CountedGenAiCall | undefined {
  if (!isPlainObject(params)) return undefined
  const config = params.config ?? {}
  if (!isPlainObject(config)) return undefined
  const httpOptions = config.httpOptions ?? {}
  if (!isPlainObject(httpOptions)) return undefined
  const clientOptions = asFields(asFields(asFields(models)?.apiClient)?.clientOptions)
  if (!clientOptions) return undefined
  const chosen =
    asFetch(httpOptions.fetch) ?? asFetch(asFields(clientOptions.httpOptions)?.fetch) ?? undefined

  const scope: AttemptScope = { attempts: 0, parent: undefined }
  let lastFailed = false
  const countingFetch: Fetch = async (input, init) => {
    if (scope.attempts === 0 || lastFailed) scope.attempts++
    lastFailed = false
    try {
      const response = await (chosen ?? (globalThis.fetch as Fetch))(input, init)
      lastFailed = asFields(response)?.ok === false
      return response
    } catch (error) {
      lastFailed = true
      throw error
    }
  }
  return {
    params: { ...params, config: { ...config, httpOptions: { ...httpOptions, fetch: countingFetch } } },
    scope,
  }
}
