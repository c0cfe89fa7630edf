import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { TEST_POSTGRES_URL } from '../testing/test-databases.ts'
import type { Database } from './database.ts'
import { openPostgresDatabase } from './postgres-database.ts'

const opened: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  for (const resource of opened.splice(0)) await resource.close()
})

async function terminateBackend(pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  await admin.connect()
  try {
    await admin.query('SELECT pg_terminate_backend($1)', [pid])
  } finally {
    await admin.end()
  }
}

describe('PostgreSQL database', () => {
  it('survives losing a connection it has checked out: the work fails, the process and the pool go on', async () => {
    const db: Database = await openPostgresDatabase({ connectionString: TEST_POSTGRES_URL, poolSize: 2 })
    opened.push(db)
    for (const run of [db.transaction.bind(db), db.withConnection.bind(db)]) {
      const failure = await run(async (connection) => {
        const { rows } = await connection.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
        await terminateBackend(rows[0]?.pid ?? 0)
        // Idle while checked out: the client hears of the lost connection as an 'error' event.
        await new Promise((resolve) => setTimeout(resolve, 200))
        await connection.query('SELECT 1')
      }).catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(Error)
    }
    expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
  })
})
