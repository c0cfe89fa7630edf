// NUL cannot be stored in PostgreSQL text or jsonb, and an unpaired UTF-16 surrogate is not valid
// Unicode; either would fail the whole transaction the event is written in.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point of this pattern.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

// Walks `value` depth first; `path` is one shared stack, so a clean event (nearly all of them)
// allocates nothing. Returns true at the first unstorable string or key, with `path` leading to it.
function walk(value: unknown, path: Array<string | number>): boolean {
  if (typeof value === 'string') return UNSTORABLE.test(value)
  if (typeof value !== 'object' || value === null) return false
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      path.push(index)
      if (walk(value[index], path)) return true
      path.pop()
    }
    return false
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    path.push(key)
    if (UNSTORABLE.test(key) || walk((value as Record<string, unknown>)[key], path)) return true
    path.pop()
  }
  return false
}

/**
 * The dotted path of the first string (or object key) in `value` that the database cannot store,
 * or undefined when every string is storable.
 */
export function findUnstorableText(
  value: unknown,
  path: readonly (string | number)[] = [],
): string | undefined {
  const stack = [...path]
  return walk(value, stack) ? stack.join('.') : undefined
}

/**
 * False when no string (or key) parsed from `jsonText` can hold NUL or an unpaired surrogate, so
 * `findUnstorableText` need not walk the parsed value. JSON can only write either as a `\u`
 * escape: a raw NUL is not valid JSON, and decoding UTF-8 never yields a lone surrogate (invalid
 * bytes become U+FFFD). Text without a backslash-u, nearly every ingest body, is therefore clean.
 */
export function jsonTextMayHoldUnstorableText(jsonText: string): boolean {
  return jsonText.includes('\\u')
}

/** True when PostgreSQL text can hold `value`: no NUL and no unpaired surrogate. */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value)
}

const EVERY_UNSTORABLE = new RegExp(UNSTORABLE.source, 'g')

/** `value` with each NUL and unpaired surrogate replaced by U+FFFD, so PostgreSQL text can hold it. */
export function replaceUnstorableText(value: string): string {
  return value.replace(EVERY_UNSTORABLE, '\ufffd')
}
