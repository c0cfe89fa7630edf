import type { ServerEnv } from '../env.ts'
import type { Database } from '../storage/database.ts'
import { openDatabase } from '../storage/open-database.ts'

/** Opens the configured database for one CLI command and always closes it. */
export async function withDatabase<T>(env: ServerEnv, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(env)
  try {
    return await work(db)
  } finally {
    await db.close()
  }
}
