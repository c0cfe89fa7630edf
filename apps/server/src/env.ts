import path from 'node:path'
import { z } from 'zod'

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional()

const integer = (fallback: number, min: number, max: number) =>
  z.coerce.number().int(`must be a whole number`).min(min).max(max).default(fallback)

const boolean = (fallback: boolean) =>
  optionalString
    .pipe(z.enum(['true', 'false', '1', '0'], { message: 'must be true or false' }).optional())
    .transform((value) => (value === undefined ? fallback : value === 'true' || value === '1'))

/** Every environment variable the server reads; docs/configuration.md lists the same. */
const envSchema = z.object({
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: integer(4000, 0, 65_535),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
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
    z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1-100 letters, digits, ".", "_" or "-"')
      .optional(),
  ),
  ACP_INIT_API_KEY: optionalString.pipe(z.string().min(20, 'must be at least 20 characters').optional()),
  ACP_GROUP_COMMIT_MS: integer(2, 0, 1000),
  ACP_MAX_FUTURE_SKEW_MS: integer(3_600_000, 0, 7 * 86_400_000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  ACP_JOBS_ENABLED: boolean(true),
  // At most a minute: rollups are promised current within about a minute of ingest.
  ACP_ROLLUP_INTERVAL_MS: integer(20_000, 1_000, 60_000),
  ACP_READY_FAILS_WHEN_STALE: boolean(false),
})

/** The name of every environment variable the server reads. */
export const ENV_VARIABLE_NAMES: readonly string[] = Object.keys(envSchema.shape)

/** The parsed, typed configuration of the server. */
export type ServerEnv = z.output<typeof envSchema> & { dataDir: string }

/** A configuration that cannot start the server, with every problem listed. */
export class EnvError extends Error {
  readonly problems: string[]
  constructor(problems: string[]) {
    super(
      `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nSee docs/configuration.md.`,
    )
    this.name = 'EnvError'
    this.problems = problems
  }
}

/**
 * Parses the environment once at boot. Every problem is reported at once, so a broken deployment is
 * fixed in one go.
 */
export function parseEnv(source: Record<string, string | undefined> = process.env): ServerEnv {
  const result = envSchema.safeParse(source)
  if (!result.success) {
    throw new EnvError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`))
  }
  if (result.data.ACP_INIT_API_KEY && !result.data.ACP_INIT_PROJECT) {
    throw new EnvError(['ACP_INIT_API_KEY: needs ACP_INIT_PROJECT, the project the key belongs to'])
  }
  // npm runs workspace scripts inside the workspace; INIT_CWD is where the user typed `npm start`.
  const baseDir = source.INIT_CWD ?? process.cwd()
  const dataDir = path.resolve(baseDir, result.data.ACP_DATA_DIR ?? '.acp-data')
  return { ...result.data, dataDir }
}
