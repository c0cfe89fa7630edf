import { describe, expect, it, vi } from 'vitest'
import { ATTEMPT_SCOPE_KEY, type AttemptScope } from './attempt-scope.ts'
import { installAttemptCounter } from './install-attempt-counter.ts'

type Fetch = (input: unknown, init?: unknown) => Promise<unknown>

function clientWith(fetch: Fetch) {
  return { fetch } as { fetch: Fetch }
}

describe('installAttemptCounter', () => {
  it('counts an attempt for the scope an init carries and every enclosing one, and strips it in a copy', async () => {
    const original = vi.fn(async (_input: unknown, _init?: unknown) => 'response')
    const client = clientWith(original)
    expect(installAttemptCounter(client)).toBe(true)

    const outer: AttemptScope = { attempts: 0, parent: undefined }
    const inner: AttemptScope = { attempts: 0, parent: outer }
    const headers = new Headers({ 'x-user': '1' })
    const init = { method: 'POST', headers, [ATTEMPT_SCOPE_KEY]: inner }
    await client.fetch('https://api.example.com', init)
    await client.fetch('https://api.example.com', init)

    expect(inner.attempts).toBe(2)
    expect(outer.attempts).toBe(2)
    const forwarded = original.mock.calls[0]?.[1] as Record<PropertyKey, unknown>
    expect(forwarded).not.toBe(init)
    expect(Object.getOwnPropertySymbols(forwarded)).toEqual([])
    expect(forwarded).toEqual({ method: 'POST', headers })
    expect(forwarded.headers).toBe(headers)
    // The SDK's own init is left as it was.
    expect(init[ATTEMPT_SCOPE_KEY]).toBe(inner)
  })

  it("hands Node's own fetch the init as it is, which reads only the fields it knows", async () => {
    const nodeFetch = vi.fn(async (_input: unknown, _init?: unknown) => 'response')
    vi.stubGlobal('fetch', nodeFetch)
    try {
      const client = clientWith(globalThis.fetch as unknown as Fetch)
      expect(installAttemptCounter(client)).toBe(true)
      const scope: AttemptScope = { attempts: 0, parent: undefined }
      const init = { method: 'POST', [ATTEMPT_SCOPE_KEY]: scope }
      await client.fetch('https://api.example.com', init)
      expect(scope.attempts).toBe(1)
      expect(nodeFetch.mock.calls[0]?.[1]).toBe(init)
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('forwards requests without a scope as they are, without a receiver', async () => {
    const receivers: unknown[] = []
    const original = vi.fn(async function (this: unknown) {
      receivers.push(this)
      return 'response'
    })
    const client = clientWith(original)
    installAttemptCounter(client)
    const init = { method: 'GET' }
    await expect(client.fetch('https://api.example.com', init)).resolves.toBe('response')
    expect(original).toHaveBeenCalledWith('https://api.example.com', init)
    expect(receivers).toEqual([undefined])
  })

  it('installs once, also on a client that inherited a counting fetch (withOptions, a second profiler)', async () => {
    const original = vi.fn(async () => 'response')
    const client = clientWith(original)
    installAttemptCounter(client)
    const counting = client.fetch
    expect(installAttemptCounter(client)).toBe(true)
    expect(client.fetch).toBe(counting)

    const derived = clientWith(counting)
    expect(installAttemptCounter(derived)).toBe(true)
    expect(derived.fetch).toBe(counting)
    const scope: AttemptScope = { attempts: 0, parent: undefined }
    await derived.fetch('https://api.example.com', { [ATTEMPT_SCOPE_KEY]: scope })
    expect(scope.attempts).toBe(1)
    expect(original).toHaveBeenCalledTimes(1)
  })

  it('refuses a fetch it cannot replace', () => {
    const readOnly = {}
    Object.defineProperty(readOnly, 'fetch', { value: async () => 'response', writable: false })
    const accessor = {
      get fetch() {
        return async () => 'response'
      },
    }
    expect(installAttemptCounter(readOnly)).toBe(false)
    expect(installAttemptCounter(accessor)).toBe(false)
    expect(installAttemptCounter({})).toBe(false)
  })
})
