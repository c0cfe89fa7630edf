const NEEDS_ESCAPE = /["\\]/

/**
 * Turns one column of values into a PostgreSQL array literal (`{"a",NULL,"b"}`), sent as one text
 * parameter and cast by the statement (`$1::text[]`). The drivers build the same literal element by
 * element with two regex replacements each; ingest sends ~40 such arrays per group, so this checks
 * once whether a string needs escaping at all. Numbers and booleans need no quotes.
 */
export function postgresArrayLiteral(values: readonly unknown[]): string {
  let literal = '{'
  for (let index = 0; index < values.length; index++) {
    if (index > 0) literal += ','
    const value = values[index]
    if (value === null || value === undefined) literal += 'NULL'
    else if (typeof value === 'number' || typeof value === 'boolean') literal += String(value)
    else {
      const text = String(value)
      literal += NEEDS_ESCAPE.test(text) ? `"${text.replace(/[\\"]/g, '\\$&')}"` : `"${text}"`
    }
  }
  return `${literal}}`
}
