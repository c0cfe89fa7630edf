// The PostgreSQL client (pg 8, pg-connection-string 2) takes these modes as `verify-full`, and says so
// in a SECURITY WARNING of nine lines on stderr (once a process) when a connection string names one.
const VERIFY_FULL_ALIASES: ReadonlySet<string> = new Set(['prefer', 'require', 'verify-ca'])

/** The parameter's name and value, decoded as the client decodes its query (`+` and `%XX`). */
function readParameter(parameter: string): [string, string] | undefined {
  return [...new URLSearchParams(parameter)][0]
}

/**
 * `connectionString` with `sslmode=prefer`, `require` or `verify-ca` written as
 * `sslmode=verify-full`, which is what the client makes of them: the same connection (TLS, the
 * certificate checked against the host name), without the client's warning. Unchanged under
 * `uselibpqcompat=true`, with which the client gives these modes libpq's weaker meaning.
 * @example
 * normalizeSslMode('postgres://app@db.example.com/app?sslmode=require')
 * // 'postgres://app@db.example.com/app?sslmode=verify-full'
 */
export function normalizeSslMode(connectionString: string): string {
  // Split as a URL is: the query runs from the first `?` to the `#` of a fragment.
  const hash = connectionString.indexOf('#')
  const fragmentStart = hash === -1 ? connectionString.length : hash
  const queryStart = connectionString.indexOf('?')
  if (queryStart === -1 || queryStart > fragmentStart) return connectionString
  const query = connectionString.slice(queryStart + 1, fragmentStart)
  // The client keeps the last of a repeated parameter.
  if (new URLSearchParams(query).getAll('uselibpqcompat').at(-1) === 'true') return connectionString
  const parameters = query.split('&').map((parameter) => {
    const [name, value] = readParameter(parameter) ?? []
    return name === 'sslmode' && value !== undefined && VERIFY_FULL_ALIASES.has(value)
      ? 'sslmode=verify-full'
      : parameter
  })
  return `${connectionString.slice(0, queryStart + 1)}${parameters.join('&')}${connectionString.slice(fragmentStart)}`
}
