import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import { aggregateDays } from '../../jobs/__fixtures__/aggregate-days.ts'
import { callRow, insertCalls } from '../../jobs/__fixtures__/call-rows.ts'
import { runDailyAggregation } from '../../jobs/daily-aggregation.ts'
import { JobMetrics } from '../../jobs/job-metrics.ts'
import { createLogger } from '../../logging/logger.ts'
import { loadMigrations, type Migration } from '../../storage/migrator.ts'
import { finishJobRun, insertJobRun } from '../../storage/repositories/job-runs-repository.ts'
import { createTestApp } from '../../testing/create-test-app.ts'
import { describeEachDatabase } from '../../testing/test-databases.ts'
import { createApp } from '../create-app.ts'
import { healthRoutes } from './health-routes.ts'

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

    await aggregateDays(db, ['2025-04-10'], () => nowMs)
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

  it('counts a run that found no day to aggregate (a start-up with nothing missing) as a success', async () => {
    const db = getDb()
    let nowMs = Date.parse('2025-06-01T12:00:00Z')
    const t = await createTestApp(db, { scopes: ['read'], now: () => nowMs })
    // A call of a closed day from long ago, sent after the start-up run: a new install's first event.
    await insertCalls(db, [callRow(t.project.id, { timestamp: '2025-05-20T10:00:00Z' })])
    nowMs += 30 * HOUR_MS
    expect((await t.get('/v1/health/data')).body).toMatchObject({ status: 'stale' })
    await aggregateDays(db, [], () => nowMs, 'startup')
    expect((await t.get('/v1/health/data')).body).toMatchObject({
      status: 'ok',
      lastAggregationAt: '2025-06-02T18:00:00.000000Z',
    })
  })

  it('lists unverified and failed days on /ready, /v1/health/data and /metrics until a run repairs them', async () => {
    const db = getDb()
    const nowMs = Date.parse('2025-04-20T10:00:00Z')
    const t = await createTestApp(db, { scopes: ['read'], now: () => nowMs })
    await insertCalls(db, [callRow(t.project.id, { timestamp: '2025-04-18T10:00:00Z' })])
    const aggregate = () =>
      runDailyAggregation({
        db,
        logger: createLogger({ level: 'silent' }),
        metrics: new JobMetrics(),
        runId: randomUUID(),
        trigger: 'cli',
        days: ['2025-04-18'],
        now: () => nowMs,
      })
    await db.exec(`
      CREATE FUNCTION corrupt_health_day() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN NEW.requests := NEW.requests + 1; RETURN NEW; END $$;
      CREATE TRIGGER corrupt_health_day BEFORE INSERT ON llm_call_daily_aggregates
        FOR EACH ROW WHEN (NEW.day = '2025-04-18') EXECUTE FUNCTION corrupt_health_day();`)
    await aggregate()
    await db.exec(
      'DROP TRIGGER corrupt_health_day ON llm_call_daily_aggregates; DROP FUNCTION corrupt_health_day();',
    )
    const failedRow = await insertJobRun(db, {
      runId: randomUUID(),
      job: 'daily-aggregation',
      targetDate: '2025-04-17',
      trigger: 'schedule',
    })
    await finishJobRun(db, {
      id: failedRow,
      status: 'failed',
      attempts: 3,
      error: 'disk full',
      durationMs: 1,
    })

    const ready = await (await t.app.request('/ready')).json()
    expect(ready).toMatchObject({
      status: 'ready',
      unverifiedDays: ['2025-04-18'],
      failedDays: ['2025-04-17'],
    })
    expect((await t.get('/v1/health/data')).body).toMatchObject({
      unverifiedDays: [
        { date: '2025-04-18', rawCostUsd: '0.000100000000', aggregateCostUsd: '0.000100000000' },
      ],
      failedDays: [expect.objectContaining({ date: '2025-04-17', attempts: 3, error: null })],
    })
    // The error may name other projects: only an admin key reads it.
    const admin = await createTestApp(db, { scopes: ['admin'], now: () => nowMs })
    expect((await admin.get('/v1/health/data')).body).toMatchObject({
      failedDays: [expect.objectContaining({ date: '2025-04-17', attempts: 3, error: 'disk full' })],
    })
    const metrics = await (await t.app.request('/metrics')).text()
    expect(metrics).toMatch(/^acp_aggregation_unverified_days 1$/m)
    expect(metrics).toMatch(/^acp_aggregation_failed_days 1$/m)

    await aggregate()
    const after = await (await t.app.request('/ready')).json()
    expect(after).toMatchObject({ unverifiedDays: [], failedDays: ['2025-04-17'] })
  })
})

describeEachDatabase('/ready against the migrations the server runs with', (getDb) => {
  const ready = async (migrations: Migration[]) => {
    const response = await healthRoutes({ db: getDb(), migrations }).request('/ready')
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }

  it('says which migrations are pending, edited or unknown to this version, not only that it is not ready', async () => {
    const all = loadMigrations()
    expect(await ready(all)).toMatchObject({ status: 200, body: { status: 'ready', migrations: 'current' } })

    const extra = { ...all.at(-1)!, version: '9999', name: 'next', checksum: 'next' }
    expect(await ready([...all, extra])).toMatchObject({
      status: 503,
      body: {
        status: 'not_ready',
        database: 'ok',
        migrations: 'pending',
        pending: ['9999_next'],
        edited: [],
      },
    })

    const edited = all.map((migration, index) =>
      index === 0 ? { ...migration, checksum: 'edited' } : migration,
    )
    const first = `${all[0]!.version}_${all[0]!.name}`
    expect(await ready(edited)).toMatchObject({
      status: 503,
      body: {
        migrations: 'edited',
        edited: [first],
        message: expect.stringContaining(`${first} changed after they were applied`),
      },
    })

    const last = `${all.at(-1)!.version}_${all.at(-1)!.name}`
    expect(await ready(all.slice(0, -1))).toMatchObject({
      status: 503,
      body: {
        migrations: 'unknown',
        unknown: [last],
        message: expect.stringContaining('a newer version migrated it'),
      },
    })
  })
})
