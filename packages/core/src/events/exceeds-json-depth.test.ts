import { describe, expect, it } from 'vitest'
import { exceedsJsonDepth } from './exceeds-json-depth.ts'

/** `{"a":[[…]]}` with `levels` levels in all, parsed from JSON text as ingest receives it. */
function nested(levels: number): unknown {
  return JSON.parse(`{"a":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`)
}

describe('exceedsJsonDepth', () => {
  it('counts every object and array as a level, and scalars as none', () => {
    expect(exceedsJsonDepth('text', 0)).toBe(false)
    expect(exceedsJsonDepth(null, 0)).toBe(false)
    expect(exceedsJsonDepth({}, 0)).toBe(true)
    expect(exceedsJsonDepth({ a: 1, b: 'x' }, 1)).toBe(false)
    expect(exceedsJsonDepth({ a: { b: [1] } }, 2)).toBe(true)
    expect(exceedsJsonDepth({ a: { b: [1] } }, 3)).toBe(false)
    expect(exceedsJsonDepth(nested(32), 32)).toBe(false)
    expect(exceedsJsonDepth(nested(33), 32)).toBe(true)
  })

  it('finds a deep branch behind shallow siblings', () => {
    expect(exceedsJsonDepth({ flat: 1, list: [1, 2, { deep: nested(4) }] }, 5)).toBe(true)
  })

  it('answers for input nested a million levels deep, where JSON.stringify overflows the stack', () => {
    const deep = nested(1_000_000)
    expect(() => JSON.stringify(deep)).toThrow(RangeError)
    expect(exceedsJsonDepth(deep, 32)).toBe(true)
  })
})
