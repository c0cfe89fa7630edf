import { Hono } from 'hono'
import { readDataHealth } from '../../jobs/data-health.ts'
import type { Database } from '../../storage/database.ts'
import type { AuthVariables } from '../middleware/authenticate.ts'

/**
 * `GET /v1/health/data`: whether aggregated data is current (`ok` or `stale`), when the jobs last succeeded,
 * and the days an operator should look at (unverified for this project, failed for the installation, with
 * their errors for an admin key).
 */
export function healthDataRoutes(options: { db: Database; now?: () => number }) {
  const now = options.now ?? Date.now
  const app = new Hono<{ Variables: AuthVariables }>()

  app.get('/', async (c) => {
    const { projectId, scopes } = c.get('auth')
    // A failed day's error names every project that failed: only an operator's (admin) key reads it.
    const health = await readDataHealth(options.db, {
      nowMs: now(),
      projectId,
      includeErrors: scopes.includes('admin'),
    })
    return c.json(health)
  })

  return app
}
