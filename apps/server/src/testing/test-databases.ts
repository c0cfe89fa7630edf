import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe } from 'vitest'
import type { Database } from '../storage/database.ts'
import { migrateUp } from '../storage/migrator.ts'
import { openPgliteDatabase } from '../storage/pglite-database.ts'
import { openPostgresDatabase } from '../storage/postgres-database.ts'

/** PostgreSQL used by the integration tests; each suite works in a schema of its own. */
export const TEST_POSTGRES_URL =
  process.env.ACP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A fresh, migrated database of the given kind; `dispose` drops what the test created. */
export async function openTestDatabase(
  dialect: 'pglite' | 'postgres',
  options: { migrate?: boolean } = {},
): Promise<{ db: Database; dispose: () => Promise<void>; schema?: string }> {
  if (dialect === 'pglite') {
    const db = await openPgliteDatabase()
    if (options.migrate !== false) await migrateUp(db)
    return { db, dispose: () => db.close() }
  }
  const schema = `test_${randomBytes(6).toString('hex')}`
  const db = await openPostgresDatabase({ connectionString: TEST_POSTGRES_URL, schema, poolSize: 5 })
  if (options.migrate !== false) await migrateUp(db)
  return {
    db,
    schema,
    dispose: async () => {
      await db.query(`DROP SCHEMA ${schema} CASCADE`)
      await db.close()
    },
  }
}

/**
 * Runs a suite once on PGlite and once on PostgreSQL. PostgreSQL is required, never skipped: a
 * suite that cannot reach it fails and says how to point it elsewhere (ACP_TEST_DATABASE_URL).
 */
export function describeEachDatabase(name: string, suite: (getDb: () => Database) => void): void {
  for (const dialect of ['pglite', 'postgres'] as const) {
    describe(`${name} [${dialect}]`, () => {
      let handle: Awaited<ReturnType<typeof openTestDatabase>> | undefined
      beforeAll(async () => {
        try {
          handle = await openTestDatabase(dialect)
        } catch (error) {
          throw new Error(
            `Could not open the ${dialect} test database (${dialect === 'postgres' ? TEST_POSTGRES_URL : 'in memory'}): ${(error as Error).message}. Start PostgreSQL or set ACP_TEST_DATABASE_URL.`,
          )
        }
      })
      afterAll(async () => {
        await handle?.dispose()
      })
      suite(() => {
        if (!handle) throw new Error('test database is not open')
        return handle.db
      })
    })
  }
}
