const NEEDS_ESCAPE = /["\\]/
// Characters JSON.stringify would write as an escape sequence the array syntax does not know.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds.
const NOT_PLAIN_JSON = /[\u0000-\u001f\ud800-\udfff]/
// In JSON text: a backslash that is not itself escaped, followed by an escape other than `\"` or
// `\\` (`\n`, `\u0001`, …). The array syntax reads `\n` as a plain `n`, so such text cannot be reused.
const FOREIGN_ESCAPE = /(?<!\\)(?:\\\\)*\\[^"\\]/

/** One quoted element: inside quotes the array syntax escapes exactly `"` and `\` with a backslash. */
function quote(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`
  // JSON writes `"` and `\` the same way and is several times faster than a regex replacement;
  // JSON columns (costs, tags, metadata) always take this path.
  if (!NOT_PLAIN_JSON.test(text)) return JSON.stringify(text)
  return `"${text.replace(/[\\"]/g, '\\$&')}"`
}

/**
 * `postgresArrayLiteral` element by element: the general case, and the reference for the fast one
 * (the two give the same text wherever the fast one applies; NULL is written `null`, as JSON does).
 */
export function postgresArrayLiteralByElement(values: readonly unknown[]): string {
  const parts = new Array<string>(values.length)
  for (let index = 0; index < values.length; index++) {
    const value = values[index]
    if (value === null || value === undefined) parts[index] = 'null'
    else if (typeof value === 'number' || typeof value === 'boolean') parts[index] = String(value)
    else parts[index] = quote(String(value))
  }
  return `{${parts.join(',')}}`
}

// JSON's array syntax is PostgreSQL's for strings, finite numbers, booleans and nulls: the same
// quotes, the same `\"` and `\\` escapes, and `null` is NULL (the array syntax reads it in any case).
function isJsonCompatible(values: readonly unknown[]): boolean {
  for (let index = 0; index < values.length; index++) {
    const value = values[index]
    if (typeof value === 'string' || value === null || value === undefined || typeof value === 'boolean')
      continue
    if (typeof value !== 'number' || !Number.isFinite(value)) return false
  }
  return true
}

/**
 * Turns one column of values into a PostgreSQL array literal (`{"a",null,"b"}`), sent as one text
 * parameter and cast by the statement (`$1::text[]`). Ingest and seed send ~40 such arrays per
 * statement, so the common case is one native `JSON.stringify` of the whole column with its brackets
 * turned into braces: JSON quotes and escapes strings exactly as the array syntax does, unless a
 * string holds a control character (JSON writes `\n`, the array syntax wants the character itself).
 * Such columns, and values JSON would not write as the array syntax reads them (non-finite numbers,
 * objects), go element by element.
 */
export function postgresArrayLiteral(values: readonly unknown[]): string {
  if (isJsonCompatible(values)) {
    const json = JSON.stringify(values)
    if (!json.includes('\\') || !FOREIGN_ESCAPE.test(json)) return `{${json.slice(1, -1)}}`
  }
  return postgresArrayLiteralByElement(values)
}
