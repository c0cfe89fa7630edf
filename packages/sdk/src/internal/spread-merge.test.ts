import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { spreadMerge } from './spread-merge.ts'

const SYMBOL = Symbol('s')

/** Everything a copy is made of: its prototype, and its own keys in order with their descriptors. */
function anatomy(value: object) {
  return {
    prototype: Object.getPrototypeOf(value),
    keys: Reflect.ownKeys(value),
    descriptors: Object.getOwnPropertyDescriptors(value),
  }
}

const keyArbitrary = fc.oneof(
  fc.constantFrom('a', 'b', 'fetchOptions', 'stream_options', '0', '7', '__proto__', 'constructor'),
  fc.string({ maxLength: 3 }),
)
const recordArbitrary = fc.option(
  fc.array(fc.tuple(keyArbitrary, fc.oneof(fc.integer(), fc.constant(null), fc.object({ maxDepth: 1 }))), {
    maxLength: 6,
  }),
  { nil: undefined },
)

/** Builds the object the way `JSON.parse` would: every key, `__proto__` included, an own field. */
function build(entries: Array<[string, unknown]> | undefined, withSymbol: boolean): object | undefined {
  if (entries === undefined) return undefined
  const value: Record<PropertyKey, unknown> = {}
  for (const [key, field] of entries)
    Object.defineProperty(value, key, { value: field, writable: true, enumerable: true, configurable: true })
  if (withSymbol) value[SYMBOL] = 'symbol'
  return value
}

describe('spreadMerge', () => {
  it('builds exactly what `{ ...first, ...second }` builds, and changes neither', () => {
    fc.assert(
      fc.property(recordArbitrary, recordArbitrary, fc.boolean(), fc.boolean(), (a, b, symbolA, symbolB) => {
        const first = build(a, symbolA)
        const second = build(b, symbolB)
        const before = [first && anatomy(first), second && anatomy(second)]
        const merged = spreadMerge(first, second)
        expect(anatomy(merged)).toEqual(anatomy({ ...first, ...second }))
        expect([first && anatomy(first), second && anatomy(second)]).toEqual(before)
        expect(merged).not.toBe(first)
        expect(merged).not.toBe(second)
      }),
    )
  })

  it('keeps an own `__proto__` key a field, as the spread does', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object
    for (const merged of [spreadMerge(parsed, { b: 2 }), spreadMerge({ b: 2 }, parsed)]) {
      expect(Object.getPrototypeOf(merged)).toBe(Object.prototype)
      expect(Object.hasOwn(merged, '__proto__')).toBe(true)
      expect((merged as { polluted?: unknown }).polluted).toBeUndefined()
    }
  })

  it('copies own enumerable keys only, reading each getter once, and treats null and undefined as empty', () => {
    let reads = 0
    const source = Object.create(
      { inherited: 1 },
      {
        hidden: { value: 1, enumerable: false },
        counted: { get: () => ++reads, enumerable: true },
      },
    ) as object
    expect(spreadMerge(source, { [SYMBOL]: 2 })).toEqual({ counted: 1, [SYMBOL]: 2 })
    expect(reads).toBe(1)
    expect(spreadMerge(null, { a: 1 })).toEqual({ a: 1 })
    expect(spreadMerge({ a: 1 }, undefined)).toEqual({ a: 1 })
  })
})
