import { Hono } from 'hono'
import { readAggregationProblems, readDataFreshness } from '../../jobs/data-health.ts'
import type { Database } from '../../storage/database.ts'
import {
  getMigrationStatus,
  loadMigrations,
  type Migration,
  migrationRefusal,
} from '../../storage/migrator.ts'

/**
 * `GET /health` (the process is alive) and `GET /ready` (database reachable, migrations current; `data`
 * says whether aggregated data is stale, which fails readiness only with `readyFailsWhenStale`, and the
 * unverified and failed days of the installation are listed for an operator).
 */
/** Longest wait for each of the readiness probe's statements. */
const READY_QUERY_TIMEOUT_MS = 5_000

export function healthRoutes(options: {
  db: Database
  now?: () => number
  readyFailsWhenStale?: boolean
  /** The migrations the server applied at start-up. Default: the folder as it is when the routes are made. */
  migrations?: Migration[]
}) {
  const now = options.now ?? Date.now
  // Read once: the server runs the schema it started with, and a probe must not read the disk (a file
  // edited or renamed under a running server, as an in-place deploy does, is not this server's schema).
  const migrations = options.migrations ?? loadMigrations()
  // A readiness probe wants a quick answer: a database that does not answer within this is unreachable.
  const db = options.db.withQueryTimeout(READY_QUERY_TIMEOUT_MS)
  const app = new Hono()

  app.get('/health', (c) => c.json({ status: 'ok' }))

  app.get('/ready', async (c) => {
    try {
      const status = await getMigrationStatus(db, migrations)
      const refusal = migrationRefusal(status)
      if (refusal !== undefined || status.pending.length > 0) {
        c.header('Retry-After', '5')
        return c.json(
          {
            status: 'not_ready',
            database: 'ok',
            // `pending`: run `migrate`; `edited` / `unknown`: the database does not match this version.
            migrations:
              status.edited.length > 0 ? 'edited' : status.unknown.length > 0 ? 'unknown' : 'pending',
            pending: status.pending.map((m) => `${m.version}_${m.name}`),
            edited: status.edited,
            unknown: status.unknown,
            ...(refusal === undefined ? {} : { message: refusal.message }),
          },
          503,
        )
      }
      const data = await readDataFreshness(db, { nowMs: now() })
      const problems = await readAggregationProblems(db, { limit: 100 })
      const body = {
        database: 'ok',
        migrations: 'current',
        data: data.status,
        lastAggregationAt: data.lastAggregationAt,
        unverifiedDays: problems.unverifiedDays,
        failedDays: problems.failedDays,
      }
      if (data.status === 'stale' && options.readyFailsWhenStale) {
        c.header('Retry-After', '60')
        return c.json({ status: 'not_ready', ...body }, 503)
      }
      return c.json({ status: 'ready', ...body })
    } catch {
      c.header('Retry-After', '5')
      return c.json({ status: 'not_ready', database: 'unreachable', migrations: 'unknown' }, 503)
    }
  })

  return app
}
