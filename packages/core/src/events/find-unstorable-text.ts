// NUL cannot be stored in PostgreSQL text or jsonb, and an unpaired UTF-16 surrogate is not valid
// Unicode; either would fail the whole transaction the event is written in.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point of this pattern.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/**
 * The dotted path of the first string (or object key) in `value` that the database cannot store,
 * or undefined when every string is storable.
 */
export function findUnstorableText(
  value: unknown,
  path: readonly (string | number)[] = [],
): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path.join('.') : undefined
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findUnstorableText(value[index], [...path, index])
      if (found !== undefined) return found
    }
    return undefined
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (UNSTORABLE.test(key)) return [...path, key].join('.')
      const found = findUnstorableText(child, [...path, key])
      if (found !== undefined) return found
    }
  }
  return undefined
}
