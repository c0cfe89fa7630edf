import {
  openConfiguredDatabase,
  openExistingConfiguredDatabase,
} from '../bootstrap/open-configured-database.ts'
import type { ServerEnv } from '../env.ts'
import type { Database } from '../storage/database.ts'
import { getMigrationStatus, migrateUp } from '../storage/migrator.ts'
import { CliError } from './cli-error.ts'
import { describeMigrationRefusal } from './migration-refusal.ts'

async function closing<T>(db: Database, work: (db: Database) => Promise<T>): Promise<T> {
  try {
    return await work(db)
  } finally {
    await db.close()
  }
}

/**
 * Opens the configured database for one CLI command and always closes it. One the machine refuses
 * (unreachable, missing, a data folder that is a file) stops the command with a one-line EnvError.
 */
export async function withDatabase<T>(env: ServerEnv, work: (db: Database) => Promise<T>): Promise<T> {
  return closing(await openConfiguredDatabase(env), work)
}

/**
 * `withDatabase` for a command that writes: pending migrations are applied first, as `serve` applies
 * them, so the command writes the tables this version knows.
 */
export async function withMigratedDatabase<T>(
  env: ServerEnv,
  work: (db: Database) => Promise<T>,
): Promise<T> {
  return withDatabase(env, async (db) => {
    await migrateUp(db)
    return work(db)
  })
}

/**
 * `withDatabase` for a database that exists already: `undefined`, without running `work`, when
 * ACP_DATA_DIR holds no embedded database, which is not created for this.
 */
export async function withExistingDatabase<T>(
  env: ServerEnv,
  work: (db: Database) => Promise<T>,
): Promise<T | undefined> {
  const db = await openExistingConfiguredDatabase(env)
  return db === undefined ? undefined : closing(db, work)
}

/**
 * `withDatabase` for a command that only reads: it never creates the database nor applies a
 * migration (which would undo a deliberate `migrate --down`), and stops with one line, exit code 1,
 * unless the schema is the one this version knows.
 */
export async function withCurrentDatabase<T>(env: ServerEnv, work: (db: Database) => Promise<T>): Promise<T> {
  const result = await withExistingDatabase(env, async (db) => {
    const status = await getMigrationStatus(db)
    const refusal = describeMigrationRefusal(status)
    if (refusal !== undefined) throw new CliError(`This version cannot read the database: ${refusal}`)
    const pending = status.pending.map((migration) => `${migration.version}_${migration.name}`)
    if (pending.length > 0) {
      const [count, them] =
        pending.length === 1 ? ['1 migration', 'it'] : [`${pending.length} migrations`, 'them']
      throw new CliError(
        `The database schema is not current: ${count} not applied (${pending.join(', ')}). This command only reads; run \`npx ai-cost-profiler migrate\` to apply ${them}.`,
      )
    }
    return { value: await work(db) }
  })
  if (result === undefined) {
    throw new CliError(
      `There is no database yet: ACP_DATA_DIR (${env.dataDir}) holds none. This command only reads; run \`npx ai-cost-profiler migrate\` to create it.`,
    )
  }
  return result.value
}
