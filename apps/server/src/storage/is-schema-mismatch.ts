// A table, column or function the server's queries use is missing, or a CHECK does not allow a value yet
// (a service tier a later migration added; values are validated before they are written): the schema
// is older than the server (a `migrate --down` run under it, say). SQLSTATE undefined_table,
// undefined_column, undefined_function, check_violation.
const SCHEMA_MISMATCH_CODES = new Set(['42P01', '42703', '42883', '23514'])

function sqlStateOf(error: unknown): unknown {
  const fields = error as { code?: unknown; sqlState?: unknown; cause?: { code?: unknown } } | undefined
  return fields?.sqlState ?? fields?.code ?? fields?.cause?.code
}

/** True when `error` says the database's schema is not the one the server's queries need. */
export function isSchemaMismatch(error: unknown): boolean {
  return SCHEMA_MISMATCH_CODES.has(sqlStateOf(error) as string)
}
