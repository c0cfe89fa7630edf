import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import { callRow, insertCalls } from '../../jobs/__fixtures__/call-rows.ts'
import { runDailyAggregation } from '../../jobs/daily-aggregation.ts'
import { JobMetrics } from '../../jobs/job-metrics.ts'
import { createLogger } from '../../logging/logger.ts'
import { createTestApp } from '../../testing/create-test-app.ts'
import { describeEachDatabase } from '../../testing/test-databases.ts'
import { createApp } from '../create-app.ts'

const HOUR_MS = 3_600_000

describeEachDatabase('data freshness: /ready, GET /v1/health/data and /metrics', (getDb) => {
  it('is ok on a new install, stale once 26 h old calls were never aggregated, and ok again after a run', async () => {
    const db = getDb()
    const firstCallMs = Date.parse('2025-04-10T10:00:00Z')
    let nowMs = firstCallMs + HOUR_MS
    const t = await createTestApp(db, { scopes: ['read'], now: () => nowMs })
    const ready = async (failWhenStale = false) => {
      const app = createApp({
        db,
        ingest: t.ingest,
        logger: createLogger({ level: 'silent' }),
        now: () => nowMs,
        readyFailsWhenStale: failWhenStale,
      })
      const response = await app.request('/ready')
      return { status: response.status, body: (await response.json()) as Record<string, unknown> }
    }

    expect((await t.get('/v1/health/data')).body).toMatchObject({
      status: 'ok',
      lastAggregationAt: null,
      staleAfterHours: 26,
    })
    await insertCalls(db, [callRow(t.project.id, { timestamp: '2025-04-10T10:00:00Z' })])
    // Recent calls not yet aggregated are not stale: their day is not over.
    expect((await ready()).body).toMatchObject({ status: 'ready', data: 'ok' })

    nowMs = firstCallMs + 27 * HOUR_MS
    expect((await t.get('/v1/health/data')).body).toMatchObject({ status: 'stale' })
    expect(await ready()).toMatchObject({ status: 200, body: { status: 'ready', data: 'stale' } })
    expect(await ready(true)).toMatchObject({ status: 503, body: { status: 'not_ready', data: 'stale' } })
    const staleMetrics = await (await t.app.request('/metrics')).text()
    expect(staleMetrics).toMatch(/^acp_data_stale 1$/m)
    expect(staleMetrics).not.toMatch(/^acp_aggregation_last_success_timestamp_seconds /m)

    await runDailyAggregation({
      db,
      logger: createLogger({ level: 'silent' }),
      metrics: new JobMetrics(),
      runId: randomUUID(),
      trigger: 'cli',
      days: ['2025-04-10'],
      now: () => nowMs,
    })
    expect((await t.get('/v1/health/data')).body).toMatchObject({
      status: 'ok',
      lastAggregationAt: '2025-04-11T13:00:00.000000Z',
      unverifiedDays: [],
      failedDays: [],
    })
    expect(await ready(true)).toMatchObject({ status: 200, body: { data: 'ok' } })
    const metrics = await t.app.request('/metrics')
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await metrics.text()
    expect(text).toContain(
      `acp_aggregation_last_success_timestamp_seconds ${Date.parse('2025-04-11T13:00:00Z') / 1000}`,
    )
    expect(text).toMatch(/^acp_data_stale 0$/m)
    expect(text).toContain('# TYPE acp_job_runs_total counter')
    expect(text).toMatch(/^acp_aggregation_failed_days_total 0$/m)
  })
})
