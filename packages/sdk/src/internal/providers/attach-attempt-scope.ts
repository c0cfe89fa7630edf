import { ATTEMPT_SCOPE_KEY, type AttemptScope, readAttemptScope } from '../attempt-scope.ts'
import { isPlainObject } from '../is-plain-object.ts'
import { spreadMerge } from '../spread-merge.ts'

/** The request options of a Stainless call with its attempt scope added, and that scope. */
export interface AttachedAttemptScope {
  requestOptions: Record<string, unknown>
  scope: AttemptScope
}

/**
 * Gives one Stainless call (OpenAI, Anthropic) its own `AttemptScope`, carried in the `fetchOptions`
 * of its request options (the method's second argument) next to the caller's own fetch options. The
 * caller's objects are copied, never changed. A scope already there belongs to an enclosing recorded
 * call (this client is wrapped by two profilers) and becomes the parent. Options of another shape than
 * absent or a plain object are left alone: that call's retries then go uncounted.
 */
export function attachAttemptScope(requestOptions: unknown): AttachedAttemptScope | undefined {
  if (requestOptions === undefined || requestOptions === null) {
    // Most calls pass no options: what the merges below build for them, built directly.
    const scope: AttemptScope = { attempts: 0, parent: undefined }
    return { requestOptions: { fetchOptions: { [ATTEMPT_SCOPE_KEY]: scope } }, scope }
  }
  const options = requestOptions ?? {}
  if (!isPlainObject(options)) return undefined
  const { fetchOptions } = options
  if (fetchOptions !== undefined && fetchOptions !== null && typeof fetchOptions !== 'object')
    return undefined
  const scope: AttemptScope = { attempts: 0, parent: readAttemptScope(fetchOptions) }
  const scoped = spreadMerge(fetchOptions as object | null | undefined, { [ATTEMPT_SCOPE_KEY]: scope })
  // Absent options (most calls) are merged as absent: copying the `{}` that stands in for them costs more.
  const copied = spreadMerge(requestOptions as Record<string, unknown> | null | undefined, {
    fetchOptions: scoped,
  })
  return { requestOptions: copied, scope }
}
