import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { CommandContext } from '../cli/main.ts'
import { parseEnv } from '../env.ts'
import { createLogger } from '../logging/logger.ts'
import type { Queryable } from '../storage/database.ts'
import { openTestDatabase, TEST_POSTGRES_URL } from './test-databases.ts'

/** Where a CLI command under test keeps its data: a PGlite folder of its own, or a PostgreSQL schema. */
export interface CliTestTarget {
  /** The environment that points a command there. */
  env: Record<string, string>
  /** PGlite: the data folder, not created until a command opens it. */
  dataDir?: string
  /** PostgreSQL: the test's own connection and schema, to look at what a command wrote. */
  postgres?: { db: Queryable; schema: string }
  dispose(): Promise<void>
}

/** Opens an empty target for CLI commands; `prefix` names its temporary folder. */
export async function openCliTestTarget(
  dialect: 'pglite' | 'postgres',
  prefix: string,
): Promise<CliTestTarget> {
  if (dialect === 'pglite') {
    const parent = mkdtempSync(path.join(tmpdir(), prefix))
    const dataDir = path.join(parent, 'data')
    return {
      env: { ACP_DATA_DIR: dataDir },
      dataDir,
      dispose: async () => rmSync(parent, { recursive: true, force: true }),
    }
  }
  // The command opens its own pool; the search path in the URL keeps it inside this test's schema.
  const handle = await openTestDatabase('postgres', { migrate: false })
  const { schema } = handle
  if (!schema) throw new Error('a PostgreSQL test database has a schema of its own')
  const url = new URL(TEST_POSTGRES_URL)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return {
    env: { DATABASE_URL: url.toString() },
    postgres: { db: handle.db, schema },
    dispose: handle.dispose,
  }
}

/** A command context on `env` that keeps what the command prints. */
export function cliTestContext(env: Record<string, string>): {
  context: CommandContext
  printed: string[]
  text: () => string
} {
  const printed: string[] = []
  const context: CommandContext = {
    env: parseEnv({ ...env, LOG_LEVEL: 'silent' }),
    logger: createLogger({ level: 'silent' }),
    print: (text) => printed.push(text),
  }
  return { context, printed, text: () => printed.join('\n') }
}
