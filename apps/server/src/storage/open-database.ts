import type { ServerEnv } from '../env.ts'
import type { Database } from './database.ts'
import { openPgliteDatabase } from './pglite-database.ts'
import { openPostgresDatabase } from './postgres-database.ts'

/** PostgreSQL when `DATABASE_URL` is set; otherwise embedded PGlite in `ACP_DATA_DIR`. */
export function openDatabase(
  env: Pick<ServerEnv, 'DATABASE_URL' | 'ACP_DB_POOL_SIZE' | 'dataDir'>,
): Promise<Database> {
  if (env.DATABASE_URL) {
    return openPostgresDatabase({ connectionString: env.DATABASE_URL, poolSize: env.ACP_DB_POOL_SIZE })
  }
  return openPgliteDatabase({ dataDir: env.dataDir })
}
