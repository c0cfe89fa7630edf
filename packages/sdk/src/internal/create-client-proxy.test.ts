import { describe, expect, it } from 'vitest'
import { createClientProxy } from './create-client-proxy.ts'
import type { ProxyShape } from './proxy-shape.ts'

class Client {
  #secret = 'private'
  readonly resource = new Resource(this)
  reveal() {
    return this.#secret
  }
  async open() {
    return new Resource(this)
  }
}

class Resource {
  constructor(readonly _client: Client) {}
  create(value: number) {
    return value * 2
  }
  helper(value: number) {
    return this._client.resource.create(value) + 1
  }
}

describe('createClientProxy', () => {
  const calls: number[] = []
  const resourceShape = (root: () => object): ProxyShape => ({
    aliases: { _client: root },
    intercept: {
      create: (original, target) =>
        function create(value: number) {
          calls.push(value)
          return original.call(target, value)
        },
    },
  })
  const wrap = (client: Client) => {
    let proxy: Client | undefined
    const root = () => proxy ?? client
    proxy = createClientProxy(
      client,
      {
        bindToTarget: true,
        children: { resource: () => resourceShape(root) },
        wrapResults: { open: () => resourceShape(root) },
      },
      new WeakMap(),
    )
    return proxy
  }

  it('routes helpers through the intercepted method via the root alias, once', () => {
    calls.length = 0
    const wrapped = wrap(new Client())
    expect(wrapped.resource.helper(5)).toBe(11)
    expect(calls).toEqual([5])
  })

  it('keeps identities stable and private fields working', () => {
    const wrapped = wrap(new Client())
    expect(wrapped.resource).toBe(wrapped.resource)
    expect(wrapped.resource.create).toBe(wrapped.resource.create)
    expect(wrapped.reveal).toBe(wrapped.reveal)
    expect(wrapped.reveal()).toBe('private')
    expect(wrapped.resource._client).toBe(wrapped)
  })

  it('wraps the resolved result of factory methods', async () => {
    calls.length = 0
    const wrapped = wrap(new Client())
    const opened = await wrapped.open()
    expect(opened.create(3)).toBe(6)
    expect(calls).toEqual([3])
  })

  it('returns the real value of read-only, non-configurable properties', () => {
    const target = {}
    const frozenChild = { create: () => 1 }
    Object.defineProperty(target, 'resource', { value: frozenChild, writable: false, configurable: false })
    const proxy = createClientProxy(target, { children: { resource: () => ({}) } }, new WeakMap()) as {
      resource: unknown
    }
    expect(proxy.resource).toBe(frozenChild)
  })
})
