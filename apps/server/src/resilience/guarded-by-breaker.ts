import type { Queryable } from '../storage/database.ts'
import type { CircuitBreaker } from './circuit-breaker.ts'
import { isTransientDatabaseError } from './is-transient-database-error.ts'

/**
 * `db` with every statement run through `breaker`: refused at once while the circuit is open, and its
 * transient failure counted. For the small reads a request makes before its real work (its API key,
 * its project's prices): a database that hangs would otherwise hold each of them for the pool's
 * connect timeout, and the breaker would never hear of it.
 */
export function guardedByBreaker(db: Queryable, breaker: CircuitBreaker): Queryable {
  return {
    query: (sql, params) => breaker.run(() => db.query(sql, params), isTransientDatabaseError),
    exec: (sql) => breaker.run(() => db.exec(sql), isTransientDatabaseError),
  }
}
