import type { Queryable } from '../database.ts'

/** A PostgreSQL advisory lock key: two 32-bit integers (a job and, e.g., a day number). */
export type AdvisoryLockKey = readonly [number, number]

/**
 * Tries to take a session-level advisory lock on `connection` without waiting; true when taken. The lock
 * lives until released or until the connection ends, so a crashed holder never keeps it.
 */
export async function tryAdvisoryLock(connection: Queryable, key: AdvisoryLockKey): Promise<boolean> {
  const { rows } = await connection.query<{ acquired: boolean }>(
    'SELECT pg_try_advisory_lock($1::int, $2::int) AS acquired',
    [key[0], key[1]],
  )
  return rows[0]?.acquired === true
}

/** Releases a session-level advisory lock taken on `connection`. */
export async function releaseAdvisoryLock(connection: Queryable, key: AdvisoryLockKey): Promise<void> {
  await connection.query('SELECT pg_advisory_unlock($1::int, $2::int)', [key[0], key[1]])
}
