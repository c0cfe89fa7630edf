const NEEDS_ESCAPE = /["\\]/
// Characters JSON.stringify would write as an escape sequence the array syntax does not know.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds.
const NOT_PLAIN_JSON = /[\u0000-\u001f\ud800-\udfff]/

/** One quoted element: inside quotes the array syntax escapes exactly `"` and `\` with a backslash. */
function quote(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`
  // JSON writes `"` and `\` the same way and is several times faster than a regex replacement;
  // JSON columns (costs, tags, metadata) always take this path.
  if (!NOT_PLAIN_JSON.test(text)) return JSON.stringify(text)
  return `"${text.replace(/[\\"]/g, '\\$&')}"`
}

/**
 * Turns one column of values into a PostgreSQL array literal (`{"a",NULL,"b"}`), sent as one text
 * parameter and cast by the statement (`$1::text[]`). The drivers build the same literal element by
 * element with two regex replacements each; ingest sends ~40 such arrays per group, so this quotes
 * cheaply and joins the parts once (a string grown by `+=` must be flattened again before it is
 * sent). Numbers and booleans need no quotes.
 */
export function postgresArrayLiteral(values: readonly unknown[]): string {
  const parts = new Array<string>(values.length)
  for (let index = 0; index < values.length; index++) {
    const value = values[index]
    if (value === null || value === undefined) parts[index] = 'NULL'
    else if (typeof value === 'number' || typeof value === 'boolean') parts[index] = String(value)
    else parts[index] = quote(String(value))
  }
  return `{${parts.join(',')}}`
}
