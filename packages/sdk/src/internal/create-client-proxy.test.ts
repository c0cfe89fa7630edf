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
  const wrap = <Wrapped extends Client>(client: Wrapped) => {
    let proxy: Wrapped | undefined
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

  it('returns the real value of a property read before its object was frozen', () => {
    const child = { create: () => 1 }
    const target = { resource: child }
    const proxy = createClientProxy(target, { children: { resource: () => ({}) } }, new WeakMap()) as {
      resource: unknown
    }
    expect(proxy.resource).not.toBe(child)
    Object.freeze(target)
    expect(proxy.resource).toBe(child)
  })

  it('returns the class itself as constructor, never a bound copy', () => {
    const client = new Client()
    const wrapped = wrap(client)
    expect(wrapped.constructor).toBe(Client)
    expect(wrapped.constructor.name).toBe('Client')
  })

  it("runs the members a subclass adds with the proxy as this, and the base class's bound", () => {
    calls.length = 0
    class Subclass extends Client {
      twice(value: number) {
        return this.resource.create(value) * 2
      }
      get doubled() {
        return this.resource.create(1)
      }
      override reveal() {
        return `${super.reveal()}!`
      }
    }
    const wrapped = wrap(new Subclass())
    expect(wrapped.twice(2)).toBe(8)
    expect(wrapped.doubled).toBe(2)
    // An override may reach the base class's private fields through super: it stays bound.
    expect(wrapped.reveal()).toBe('private!')
    expect(calls).toEqual([2, 1])
  })

  it('keeps a subclass with private state of its own bound, so its private fields work', () => {
    calls.length = 0
    class Counting extends Client {
      #count = 0
      count(value: number) {
        this.#count++
        return this.resource.create(value) + this.#count
      }
    }
    const wrapped = wrap(new Counting())
    expect(wrapped.count(5)).toBe(11)
    expect(calls).toEqual([])
  })
})
