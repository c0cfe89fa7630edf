import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { isTransientDatabaseError } from '../resilience/is-transient-database-error.ts'
import { startFreezingProxy } from '../testing/freezing-proxy.ts'
import { TEST_POSTGRES_URL } from '../testing/test-databases.ts'
import type { Database } from './database.ts'
import { openPostgresDatabase } from './postgres-database.ts'

const opened: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  for (const resource of opened.splice(0)) await resource.close()
})

async function asAdmin(sql: string, params: unknown[] = []): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  await admin.connect()
  try {
    await admin.query(sql, params)
  } finally {
    await admin.end()
  }
}

const terminateBackend = (pid: number) => asAdmin('SELECT pg_terminate_backend($1)', [pid])

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

  it('tells a refused connection (the database turned the login away) from a failed statement', async () => {
    const role = `acp_test_refused_${process.pid}_${Date.now()}`
    await asAdmin(`CREATE ROLE ${role} LOGIN`)
    try {
      const url = new URL(TEST_POSTGRES_URL)
      url.username = role
      const db = await openPostgresDatabase({ connectionString: url.href, poolSize: 1 })
      try {
        const failed = await db.query('SELECT 1/0').catch((error: unknown) => error)
        expect(isTransientDatabaseError(failed)).toBe(false)
        // Logins refused from now on (SQLSTATE 28000), and the pooled connection gone.
        await asAdmin(`ALTER ROLE ${role} NOLOGIN`)
        await asAdmin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role])
        for (const run of [() => db.query('SELECT 1'), () => db.transaction((tx) => tx.query('SELECT 1'))]) {
          const refused = await run().catch((error: unknown) => error)
          expect(refused).toMatchObject({ name: 'StorageError', code: 'DATABASE_UNAVAILABLE' })
          expect(String((refused as Error).message)).toMatch(
            /^cannot connect to PostgreSQL: .*not permitted to log in/,
          )
          expect(isTransientDatabaseError(refused)).toBe(true)
        }
      } finally {
        await db.close()
      }
    } finally {
      await asAdmin(`DROP ROLE ${role}`)
    }
  })

  it('fails a statement that gets no answer within the query timeout as unavailable, and drops its connection', async () => {
    const proxy = await startFreezingProxy()
    opened.push(proxy)
    const db = await openPostgresDatabase({ connectionString: proxy.url, poolSize: 3 })
    opened.push(db)
    const requests = db.withQueryTimeout(300)
    // Three connections open and idle, so each statement below runs on one (a new connection
    // through the silent proxy would fail on the connection timeout instead).
    await Promise.all([1, 2, 3].map(() => requests.query('SELECT pg_sleep(0.05)')))
    proxy.freeze()
    for (const run of [
      () => requests.query('SELECT 1'),
      () => requests.transaction((tx) => tx.query('SELECT 1')),
      () => requests.withConnection((connection) => connection.query('SELECT 1')),
    ]) {
      // Without the timeout each of these waits for as long as the server stays silent: forever.
      const failure = await run().catch((error: unknown) => error)
      expect(failure).toMatchObject({ name: 'StorageError', code: 'DATABASE_UNAVAILABLE' })
      expect(failure).toMatchObject({
        unanswered: true,
        message: expect.stringMatching(/did not answer within 0\.3 s/),
      })
      expect(isTransientDatabaseError(failure)).toBe(true)
    }
  })

  it('stops on the server a statement it gave up waiting for, so abandoned work does not pile up', async () => {
    const db = await openPostgresDatabase({ connectionString: TEST_POSTGRES_URL, poolSize: 2 })
    opened.push(db)
    const marker = `acp_cancel_${process.pid}_${Date.now()}`
    const failure = await db
      .withQueryTimeout(300)
      .query(`SELECT pg_sleep(20), '${marker}'`)
      .catch((error: unknown) => error)
    expect(failure).toMatchObject({ code: 'DATABASE_UNAVAILABLE', unanswered: true })
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL })
    await admin.connect()
    try {
      // Without the cancel the statement runs on for 20 s.
      let running = 1
      for (let poll = 0; poll < 50 && running > 0; poll++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        const { rows } = await admin.query<{ count: string }>(
          "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()",
          [`%${marker}%`],
        )
        running = Number(rows[0]?.count)
      }
      expect(running).toBe(0)
    } finally {
      await admin.end()
    }
  })

  it('gives up waiting for a lock after lockTimeoutMs, as a transient failure', async () => {
    const schema = `test_lock_timeout_${process.pid}`
    const db = await openPostgresDatabase({
      connectionString: TEST_POSTGRES_URL,
      schema,
      poolSize: 1,
      lockTimeoutMs: 300,
    })
    opened.push(db)
    await db.query('CREATE TABLE held (id int)')
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL })
    await admin.connect()
    try {
      await admin.query('BEGIN')
      await admin.query(`LOCK TABLE ${schema}.held`)
      // Without the timeout this waits until the lock is released below: never.
      const failure = await db.query('SELECT count(*) FROM held').catch((error: unknown) => error)
      expect(failure).toMatchObject({ code: '55P03' })
      expect(isTransientDatabaseError(failure)).toBe(true)
      await admin.query('ROLLBACK')
      expect((await db.query<{ count: string }>('SELECT count(*) FROM held')).rows).toEqual([{ count: '0' }])
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`)
      await admin.end()
    }
  })
})
