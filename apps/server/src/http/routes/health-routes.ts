import { Hono } from 'hono'
import { readAggregationProblems, readDataFreshness } from '../../jobs/data-health.ts'
import type { Database } from '../../storage/database.ts'
import { getMigrationStatus } from '../../storage/migrator.ts'

/**
 * `GET /health` (the process is alive) and `GET /ready` (database reachable, migrations current; `data`
 * says whether aggregated data is stale, which fails readiness only with `readyFailsWhenStale`, and the
 * unverified and failed days of the installation are listed for an operator).
 */
/** Longest wait for each of the readiness probe's statements. */
const READY_QUERY_TIMEOUT_MS = 5_000

export function healthRoutes(options: { db: Database; now?: () => number; readyFailsWhenStale?: boolean }) {
  const now = options.now ?? Date.now
  // A readiness probe wants a quick answer: a database that does not answer within this is unreachable.
  const db = options.db.withQueryTimeout(READY_QUERY_TIMEOUT_MS)
  const app = new Hono()

  app.get('/health', (c) => c.json({ status: 'ok' }))

  app.get('/ready', async (c) => {
    try {
      const status = await getMigrationStatus(db)
      const current = status.pending.length === 0 && status.edited.length === 0 && status.unknown.length === 0
      if (!current) {
        c.header('Retry-After', '5')
        return c.json(
          {
            status: 'not_ready',
            database: 'ok',
            migrations: 'pending',
            pending: status.pending.map((m) => `${m.version}_${m.name}`),
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
