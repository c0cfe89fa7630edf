import { describe, expect, it } from 'vitest'
import { ATTEMPT_SCOPE_KEY, type AttemptScope } from '../attempt-scope.ts'
import { attachAttemptScope } from './attach-attempt-scope.ts'

describe('attachAttemptScope', () => {
  it('adds a fresh scope to absent request options', () => {
    for (const absent of [undefined, null]) {
      const attached = attachAttemptScope(absent)
      expect(attached?.scope).toEqual({ attempts: 0, parent: undefined })
      expect(attached?.requestOptions).toEqual({ fetchOptions: { [ATTEMPT_SCOPE_KEY]: attached?.scope } })
    }
  })

  it("keeps the caller's options and headers of every shape, merges its fetch options, and changes none of them", () => {
    const shapes = [{ 'x-trace': 't-1' }, new Headers({ 'x-trace': 't-1' }), [['x-trace', 't-1']]]
    for (const headers of shapes) {
      const fetchOptions = { keepalive: true }
      const options = { headers, timeout: 5000, fetchOptions }
      const attached = attachAttemptScope(options)
      expect(attached?.requestOptions).toEqual({
        headers,
        timeout: 5000,
        fetchOptions: { keepalive: true, [ATTEMPT_SCOPE_KEY]: attached?.scope },
      })
      expect(attached?.requestOptions.headers).toBe(headers)
      expect(options).toEqual({ headers, timeout: 5000, fetchOptions: { keepalive: true } })
      expect(Object.getOwnPropertySymbols(fetchOptions)).toEqual([])
    }
  })

  it('makes the scope already in the options (an enclosing recorded call) the parent', () => {
    const outer = attachAttemptScope({ maxRetries: 1 })
    const inner = attachAttemptScope(outer?.requestOptions)
    expect(inner?.scope.parent).toBe(outer?.scope)
    const fetchOptions = inner?.requestOptions.fetchOptions as Record<PropertyKey, AttemptScope>
    expect(fetchOptions[ATTEMPT_SCOPE_KEY]).toBe(inner?.scope)
    expect(inner?.requestOptions.maxRetries).toBe(1)
  })

  it('leaves options it does not rebuild alone', () => {
    class RequestOptions {
      timeout = 1
    }
    expect(attachAttemptScope(new RequestOptions())).toBeUndefined()
    expect(attachAttemptScope(Promise.resolve({}))).toBeUndefined()
    expect(attachAttemptScope('options')).toBeUndefined()
    expect(attachAttemptScope({ fetchOptions: 'odd' })).toBeUndefined()
  })
})
