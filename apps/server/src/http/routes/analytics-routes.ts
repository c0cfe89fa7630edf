import { compareIsoTimesExactly } from '@ai-cost-profiler/core'
import { Hono } from 'hono'
import { readRangeDataQuality } from '../../jobs/data-health.ts'
import { EARLIEST_SUPPORTED_UTC_MS } from '../../jobs/utc-days.ts'
import type { Database } from '../../storage/database.ts'
import { getRolledUpCostSummary } from '../../storage/repositories/analytics-repository.ts'
import { type AuthVariables, requireScope } from '../middleware/authenticate.ts'
import { invalidQuery, parseQuery } from '../parse-query.ts'
import { timeRangeQuery } from '../query-schemas.ts'

const DEFAULT_RANGE_MS = 30 * 86_400_000

/**
 * `GET /v1/analytics/summary`: exact totals for `[from, to)` (default: the last 30 days), read from verified
 * daily aggregates and hourly rollups for closed hours, with `dataQuality` naming the days to look at.
 */
export function analyticsRoutes(options: { db: Database; now?: () => number }) {
  const now = options.now ?? Date.now
  const app = new Hono<{ Variables: AuthVariables }>()

  app.get('/summary', requireScope('read'), async (c) => {
    const range = parseQuery(timeRangeQuery, c.req.queries())
    const nowMs = now()
    const toUtc = range.to ?? new Date(nowMs).toISOString()
    const fromUtc =
      range.from ??
      new Date(Math.max(Date.parse(toUtc) - DEFAULT_RANGE_MS, EARLIEST_SUPPORTED_UTC_MS)).toISOString()
    // Checked again with a default in: a `from` alone may lie after now. Two bounds sent were checked as
    // sent; closer than a microsecond, they round to one instant and the range holds no call.
    const defaulted = range.from === undefined || range.to === undefined
    if (defaulted && compareIsoTimesExactly(fromUtc, toUtc) >= 0) {
      throw invalidQuery('from', `must be before to (${range.to ? toUtc : `now, ${toUtc}`})`)
    }
    const projectId = c.get('auth').projectId
    const nowUtc = new Date(nowMs).toISOString()
    const summary = await getRolledUpCostSummary(options.db, { projectId, fromUtc, toUtc, nowUtc })
    const dataQuality = await readRangeDataQuality(options.db, { projectId, fromUtc, toUtc, nowMs })
    const { costUsd, ...totals } = summary.totals
    return c.json({
      from: fromUtc,
      to: toUtc,
      totalCostUsd: costUsd,
      ...totals,
      byProvider: summary.byProvider,
      byModel: summary.byModel,
      dataQuality,
    })
  })

  return app
}
