import { expect, it } from 'vitest'
import { aggregateDays } from '../../jobs/__fixtures__/aggregate-days.ts'
import { callRow, insertCalls } from '../../jobs/__fixtures__/call-rows.ts'
import { JobMetrics } from '../../jobs/job-metrics.ts'
import { runRetention } from '../../jobs/retention.ts'
import { refreshRollups } from '../../jobs/rollup-refresh.ts'
import { createLogger } from '../../logging/logger.ts'
import { createTestApp } from '../../testing/create-test-app.ts'
import { describeEachDatabase } from '../../testing/test-databases.ts'

const NOW = Date.parse('2025-10-15T10:00:00Z')

describeEachDatabase('/v1/retention', (getDb) => {
  it('shows and sets how long raw calls are kept; the next retention run applies it', async () => {
    const db = getDb()
    const admin = await createTestApp(db, { scopes: ['admin'], now: () => NOW })
    const put = async (body: unknown) => {
      const response = await admin.app.request('/v1/retention', {
        method: 'PUT',
        headers: admin.headers,
        body: JSON.stringify(body),
      })
      return { status: response.status, body: (await response.json()) as Record<string, unknown> }
    }
    expect((await admin.get('/v1/retention')).body).toEqual({
      projectId: admin.project.id,
      retentionDays: 400,
      rawDeletedBefore: null,
      lastRunAt: null,
    })
    expect(await put({ retentionDays: 0 })).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'INVALID_RETENTION',
          message:
            'Invalid retention: retentionDays must be at least 1. Send { "retentionDays": 1 to 3650 }.',
        },
      },
    })
    expect(await put({ retentionDays: '30' })).toMatchObject({ status: 400 })
    expect(await put({ retentionDays: 30 })).toEqual({
      status: 200,
      body: { projectId: admin.project.id, retentionDays: 30, rawDeletedBefore: null, lastRunAt: null },
    })

    await insertCalls(db, [
      callRow(admin.project.id, { timestamp: '2025-09-14T23:59:59Z' }),
      callRow(admin.project.id, { timestamp: '2025-09-15T00:00:00Z' }),
    ])
    await refreshRollups({ db, logger: createLogger({ level: 'silent' }), metrics: new JobMetrics() })
    await aggregateDays(db, ['2025-09-14'], () => NOW)
    const [report] = await runRetention({
      db,
      logger: createLogger({ level: 'silent' }),
      metrics: new JobMetrics(),
      projectId: admin.project.id,
      now: () => NOW,
    })
    expect(report).toMatchObject({ retentionDays: 30, cutoffUtc: '2025-09-15T00:00:00.000Z' })
    expect(report?.rows.llm_calls).toBe(1)
    expect((await admin.get('/v1/retention')).body).toMatchObject({
      retentionDays: 30,
      rawDeletedBefore: '2025-09-15T00:00:00Z',
      lastRunAt: expect.any(String),
    })

    const reader = await createTestApp(db, { scopes: ['read'] })
    expect((await reader.get('/v1/retention')).status).toBe(200)
    const refused = await reader.app.request('/v1/retention', {
      method: 'PUT',
      headers: reader.headers,
      body: JSON.stringify({ retentionDays: 1 }),
    })
    expect(refused.status).toBe(403)
  })
})
