import { Hono } from 'hono'
import { readAggregationProblems, readDataFreshness } from '../../jobs/data-health.ts'
import type { JobMetrics } from '../../jobs/job-metrics.ts'
import type { Database } from '../../storage/database.ts'
import { countPendingRollupHours } from '../../storage/repositories/data-health-repository.ts'

function gauge(name: string, help: string, value: number | null): string[] {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`]
  if (value !== null) lines.push(`${name} ${value}`)
  return lines
}

const seconds = (iso: string | null) => (iso === null ? null : Date.parse(iso) / 1000)

/**
 * `GET /metrics`: Prometheus text. Counters are this process's; gauges are read from the database, so every
 * process reports the same installation-wide state whichever of them ran the job.
 */
export function metricsRoutes(options: { db: Database; metrics: JobMetrics; now?: () => number }) {
  const now = options.now ?? Date.now
  const app = new Hono()

  app.get('/metrics', async (c) => {
    const freshness = await readDataFreshness(options.db, { nowMs: now() })
    const problems = await readAggregationProblems(options.db, { limit: 100_000 })
    const lines = [
      ...gauge(
        'acp_aggregation_last_success_timestamp_seconds',
        'Unix time of the last successful daily aggregation run (absent until the first one).',
        seconds(freshness.lastAggregationAt),
      ),
      ...gauge(
        'acp_rollup_last_success_timestamp_seconds',
        'Unix time of the last successful rollup refresh (absent until the first one).',
        seconds(freshness.lastRollupRefreshAt),
      ),
      ...gauge(
        'acp_data_stale',
        '1 when raw calls older than 26 h exist and no aggregation succeeded in 26 h.',
        freshness.status === 'stale' ? 1 : 0,
      ),
      ...gauge(
        'acp_aggregation_unverified_days',
        'Project-days whose aggregate is unverified.',
        problems.unverifiedProjectDays,
      ),
      ...gauge(
        'acp_aggregation_failed_days',
        'Days whose latest aggregation run failed.',
        problems.failedDays.length,
      ),
      ...gauge(
        'acp_rollup_pending_hours',
        'Project-hours waiting for a rollup refresh.',
        await countPendingRollupHours(options.db),
      ),
    ]
    return c.body(`${lines.join('\n')}\n${options.metrics.render()}`, 200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    })
  })

  return app
}
