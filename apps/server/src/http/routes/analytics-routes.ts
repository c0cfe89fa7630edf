import { Hono } from 'hono'
import type { Database } from '../../storage/database.ts'
import { getCostSummary } from '../../storage/repositories/analytics-repository.ts'
import { type AuthVariables, requireScope } from '../middleware/authenticate.ts'
import { parseQuery } from '../parse-query.ts'
import { timeRangeQuery } from '../query-schemas.ts'

const DEFAULT_RANGE_MS = 30 * 86_400_000

/** `GET /v1/analytics/summary`: exact totals for `[from, to)` (default: the last 30 days). */
export function analyticsRoutes(options: { db: Database; now?: () => number }) {
  const now = options.now ?? Date.now
  const app = new Hono<{ Variables: AuthVariables }>()

  app.get('/summary', requireScope('read'), async (c) => {
    const range = parseQuery(timeRangeQuery, c.req.query())
    const toUtc = range.to ?? new Date(now()).toISOString()
    const fromUtc = range.from ?? new Date(Date.parse(toUtc) - DEFAULT_RANGE_MS).toISOString()
    const summary = await getCostSummary(options.db, { projectId: c.get('auth').projectId, fromUtc, toUtc })
    const { costUsd, ...totals } = summary.totals
    return c.json({
      from: fromUtc,
      to: toUtc,
      totalCostUsd: costUsd,
      ...totals,
      byProvider: summary.byProvider,
      byModel: summary.byModel,
    })
  })

  return app
}
