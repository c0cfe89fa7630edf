import { openConfiguredDatabase } from '../bootstrap/open-configured-database.ts'
import type { ServerEnv } from '../env.ts'
import type { Database } from '../storage/database.ts'

/**
 * Opens the configured database for one CLI command and always closes it. One the machine refuses
 * (unreachable, missing, a data folder that is a file) stops the command with a one-line EnvError.
 */
export async function withDatabase<T>(env: ServerEnv, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openConfiguredDatabase(env)
  try {
    return await work(db)
  } finally {
    await db.close()
  }
}
