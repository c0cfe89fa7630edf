import path from 'node:path'
import { z } from 'zod'
import { PROJECT_NAME_PATTERN, PROJECT_NAME_RULE } from './storage/repositories/projects-repository.ts'

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional()

// Decimal digits only: Number() would also take "0x10", "1e3" and " ", and z.coerce turns "" into 0.
const integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}, written in decimal digits`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `must be a whole number from ${min} to ${max}`)
        .max(max, `must be a whole number from ${min} to ${max}`),
    )
    .default(fallback)

const boolean = (fallback: boolean) =>
  optionalString
    .pipe(z.enum(['true', 'false', '1', '0'], { message: 'must be true or false (or 1 or 0)' }).optional())
    .transform((value) => (value === undefined ? fallback : value === 'true' || value === '1'))

// The host the PostgreSQL client puts in for parsing when a URL leaves it out (its connections then
// go to the socket folder of `?host=`), as pg-connection-string does.
const HOST_FOR_PARSING = 'socket-folder-host'

/**
 * Whether the PostgreSQL client can read `text` as a connection URL, read as it reads one: a WHATWG
 * URL against a base, after encoding spaces and stray `%`, and again with a stand-in host when the
 * host is left out (`postgres://user@/db?host=/socket/folder`). Anything else (a port past 65535, a
 * bracket left open) it would refuse with a bare "Invalid URL" when the first connection is made.
 */
function readsAsConnectionUrl(text: string): boolean {
  const encoded = / |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(text)
    ? encodeURI(text).replace(/%25(\d\d)/g, '%$1')
    : text
  const base = 'postgres://base'
  return URL.canParse(encoded, base) || URL.canParse(encoded.replace('@/', `@${HOST_FOR_PARSING}/`), base)
}

/** Every environment variable the server reads; docs/configuration.md lists the same. */
const envSchema = z.object({
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: integer(4000, 0, 65_535),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .refine(
        readsAsConnectionUrl,
        'must be a URL such as postgres://USER:PASSWORD@HOST:5432/DATABASE: a port from 0 to 65535, an IPv6 address in brackets ([::1]), special characters of the user and password percent-encoded',
      )
      .optional(),
  ),
  ACP_DATA_DIR: optionalString,
  REDIS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
  ),
  ACP_DB_POOL_SIZE: integer(10, 1, 200),
  ACP_INIT_PROJECT: optionalString.pipe(
    z.string().regex(PROJECT_NAME_PATTERN, `must be ${PROJECT_NAME_RULE}`).optional(),
  ),
  // Anything else is stored but never matched: `Authorization: Bearer <key>` carries no space or
  // control character, and an HTTP header's bytes read back as Latin-1, so a character past U+00FF
  // never reads back as the one that was hashed. (Latin-1 letters do, from clients that send them as
  // Latin-1, as fetch and the SDK do; ASCII is what every client sends alike.)
  ACP_INIT_API_KEY: optionalString.pipe(
    z
      .string()
      .min(20, 'must be at least 20 characters')
      .regex(
        /^[\x21-\x7e\xa1-\xff]*$/,
        'must be printable characters without spaces, ASCII (letters, digits and punctuation such as - _ . ~) or Latin-1, as it is sent in an "Authorization: Bearer <key>" header; e.g. the output of `openssl rand -hex 32`',
      )
      .optional(),
  ),
  ACP_GROUP_COMMIT_MS: integer(2, 0, 1000),
  ACP_MAX_FUTURE_SKEW_MS: integer(3_600_000, 0, 7 * 86_400_000),
  LOG_LEVEL: z
    .string()
    .trim()
    .pipe(
      z.enum(['debug', 'info', 'warn', 'error', 'silent'], {
        message: 'must be debug, info, warn, error or silent',
      }),
    )
    .default('info'),
  ACP_JOBS_ENABLED: boolean(true),
  // At most a minute: rollups are promised current within about a minute of ingest.
  ACP_ROLLUP_INTERVAL_MS: integer(20_000, 1_000, 60_000),
  ACP_READY_FAILS_WHEN_STALE: boolean(false),
})

/** The name of every environment variable the server reads. */
export const ENV_VARIABLE_NAMES: readonly string[] = Object.keys(envSchema.shape)

/** The parsed, typed configuration of the server. */
export type ServerEnv = z.output<typeof envSchema> & { dataDir: string }

/**
 * A configuration that cannot start the server, with every problem listed. Start-up raises it too
 * when the environment names something this machine or database refuses (a port in use, a revoked
 * ACP_INIT_API_KEY). The CLI prints the message alone, without a stack trace, and exits with 1.
 */
export class EnvError extends Error {
  readonly problems: string[]
  constructor(problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid configuration: ${problems[0]}. See docs/configuration.md.`
        : `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nSee docs/configuration.md.`,
    )
    this.name = 'EnvError'
    this.problems = problems
  }
}

// Blank is unset, so the default applies: `PORT=` in an env file or `docker run -e PORT=` must not
// mean anything else.
function withoutBlankValues(source: Record<string, string | undefined>): Record<string, string> {
  const values: Record<string, string> = {}
  for (const name of ENV_VARIABLE_NAMES) {
    const value = source[name]
    if (value !== undefined && value.trim() !== '') values[name] = value
  }
  return values
}

// Read by the SDK, which may share an environment with the server, and by the tests (docs/configuration.md).
const SDK_VARIABLES = ['ACP_ENDPOINT', 'ACP_API_KEY', 'ACP_DEBUG', 'ACP_COMPRESSION']
const TEST_VARIABLES = ['ACP_TEST_DATABASE_URL', 'ACP_TEST_REDIS_URL']

/**
 * The `ACP_*` variables set in `source` that neither the server, the SDK nor the tests read: most likely a typo
 * (`ACP_GROUP_COMMIT_MSS`), whose value would otherwise be ignored without a word.
 */
export function unknownSettings(source: Record<string, string | undefined>): string[] {
  const known = new Set([...ENV_VARIABLE_NAMES, ...SDK_VARIABLES, ...TEST_VARIABLES])
  return Object.keys(source)
    .filter((name) => name.startsWith('ACP_') && !known.has(name))
    .sort()
}

/**
 * Parses the environment once at boot. Every problem is reported at once, so a broken deployment is
 * fixed in one go.
 */
export function parseEnv(source: Record<string, string | undefined> = process.env): ServerEnv {
  const values = withoutBlankValues(source)
  const result = envSchema.safeParse(values)
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
  // A project made at start-up without a key could take no events, and start-up would not say so.
  if (values.ACP_INIT_PROJECT !== undefined && values.ACP_INIT_API_KEY === undefined) {
    problems.push(
      'ACP_INIT_PROJECT: needs ACP_INIT_API_KEY, the key to create for it (at least 20 characters); set both, or neither and let the first start create project default with a key',
    )
  }
  if (values.ACP_INIT_API_KEY !== undefined && values.ACP_INIT_PROJECT === undefined) {
    problems.push(
      'ACP_INIT_API_KEY: needs ACP_INIT_PROJECT, the project the key belongs to; set both, or neither',
    )
  }
  if (!result.success || problems.length > 0) throw new EnvError(problems)
  // npm runs workspace scripts inside the workspace; INIT_CWD is where the user typed `npm start`.
  const baseDir = source.INIT_CWD ?? process.cwd()
  const dataDir = path.resolve(baseDir, result.data.ACP_DATA_DIR ?? '.acp-data')
  return { ...result.data, dataDir }
}
