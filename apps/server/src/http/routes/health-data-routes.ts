import { Hono } from 'hono'
import { readDataHealth } from '../../jobs/data-health.ts'
import type { Database } from '../../storage/database.ts'
import type { AuthVariables } from '../middleware/authenticate.ts'

/**
 * `GET /v1/health/data`: whether aggregated data is current (`ok` or `stale`), when the jobs last succeeded,
 * and the days an operator should look at (unverified for this project, failed for the installation).
 */
export function healthDataRoutes(options: { db: Database; now?: () => number }) {
  const now = options.now ?? Date.now
  const app = new Hono<{ Variables: AuthVariables }>()

  app.get('/', async (c) => {
    const health = await readDataHealth(options.db, { nowMs: now(), projectId: c.get('auth').projectId })
    return c.json(health)
  })

  return app
}
