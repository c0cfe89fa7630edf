/**
 * True when `value` nests objects and arrays more than `maxDepth` levels deep (`{}` and `[]` are one
 * level; a string or number, none). It stops as soon as the limit is passed, so its own recursion is
 * never deeper than `maxDepth` + 1: safe on input nested a million levels deep, where
 * `JSON.stringify` overflows the call stack.
 */
export function exceedsJsonDepth(value: unknown, maxDepth: number): boolean {
  if (typeof value !== 'object' || value === null) return false
  if (maxDepth < 1) return true
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      if (exceedsJsonDepth(value[index], maxDepth - 1)) return true
    }
    return false
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && exceedsJsonDepth((value as Record<string, unknown>)[key], maxDepth - 1))
      return true
  }
  return false
}
