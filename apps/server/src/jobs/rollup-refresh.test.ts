import { expect, it } from 'vitest'
import { createLogger } from '../logging/logger.ts'
import { listDailyCosts } from '../storage/repositories/daily-costs-repository.ts'
import { saveRawDeletedBefore } from '../storage/repositories/retention-repository.ts'
import { markHours, markHoursInRange, sumRollups } from '../storage/repositories/rollups-repository.ts'
import { describeEachDatabase } from '../testing/test-databases.ts'
import { callRow, createProject, insertCalls } from './__fixtures__/call-rows.ts'
import { JobMetrics } from './job-metrics.ts'
import { refreshRollups } from './rollup-refresh.ts'

const logger = createLogger({ level: 'silent' })
const day = { fromUtc: '2025-03-10T00:00:00Z', toUtc: '2025-03-11T00:00:00Z' }

describeEachDatabase('rollup refresh', (getDb) => {
  const refresh = (metrics = new JobMetrics()) => refreshRollups({ db: getDb(), logger, metrics })
  const dailyUtc = (projectId: string) =>
    listDailyCosts(getDb(), {
      projectId,
      fromDay: '2025-03-10',
      toDay: '2025-03-10',
      timeZone: 'UTC',
      nowUtc: '2025-04-01T00:00:00Z',
    })

  it('rebuilds changed hours from raw rows, exactly, and is idempotent', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-03-10T10:00:00Z', costUsd: '0.000000000001', latencyMs: 100 }),
      callRow(projectId, {
        timestamp: '2025-03-10T10:59:59.999Z',
        costUsd: '0.100000000000',
        latencyMs: 1000,
      }),
      callRow(projectId, {
        timestamp: '2025-03-10T11:30:00Z',
        status: 'error',
        costUsd: '0.200000000000',
        latencyMs: null,
      }),
      callRow(projectId, {
        timestamp: '2025-03-10T11:31:00Z',
        costUsd: null,
        costStatus: 'unpriced',
        priceSource: null,
        latencyMs: 2000,
      }),
    ])
    const metrics = new JobMetrics()
    const first = await refresh(metrics)
    expect(first.hoursRefreshed).toBeGreaterThanOrEqual(2)
    expect(metrics.value('acp_rollup_hours_refreshed_total')).toBe(first.hoursRefreshed)
    expect(await sumRollups(db, { projectId, ...day })).toEqual({ requests: 4, costUsd: '0.300000000001' })
    const once = await dailyUtc(projectId)
    expect(once).toEqual([
      expect.objectContaining({
        date: '2025-03-10',
        requests: 4,
        errors: 1,
        unpricedRequests: 1,
        costUsd: '0.300000000001',
        inputTokens: 4000,
        cacheReadInputTokens: 400,
        source: 'hourly-rollup',
        verification: 'pending',
      }),
    ])
    // p50 of {100, 1000, 2000} is 1000 ms; the histogram answers within a bucket (±13%).
    expect(once[0]?.latencyP50Ms).toBeGreaterThan(870)
    expect(once[0]?.latencyP50Ms).toBeLessThan(1130)

    await markHoursInRange(db, { projectId, ...day })
    await refresh()
    expect(await dailyUtc(projectId)).toEqual(once)
  })

  it('ends a pass that meets more recent rows than one scan slice, marking each hour once', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    // Three inserts, three ingest times, all within the minute the watermark stays behind the clock.
    for (const hour of ['08', '09', '10']) {
      await insertCalls(db, [
        callRow(projectId, { timestamp: `2025-03-10T${hour}:15:00Z`, costUsd: '0.000000000003' }),
      ])
    }
    const summary = await refreshRollups({ db, logger, metrics: new JobMetrics(), rowsPerScanSlice: 1 })
    // Read once, a row marks at most one hour; re-reading recent rows until they age would mark far more.
    const { rows } = await db.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM llm_calls WHERE ingested_at > now() - interval '5 minutes'",
    )
    expect(summary.hoursMarked).toBeLessThanOrEqual(rows[0]?.count ?? 0)
    expect(summary.hoursRefreshed).toBeGreaterThanOrEqual(3)
    expect(await sumRollups(db, { projectId, ...day })).toEqual({ requests: 3, costUsd: '0.000000000009' })
  })

  it('picks up a late row for a closed hour and a re-priced row marked dirty', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-03-10T08:00:00Z', costUsd: '1.000000000000' }),
    ])
    await refresh()
    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-03-10T08:30:00Z', costUsd: '2.000000000000' }),
    ])
    await refresh()
    expect(await sumRollups(db, { projectId, ...day })).toEqual({ requests: 2, costUsd: '3.000000000000' })

    await db.query(
      `UPDATE llm_calls SET cost_usd = 5 WHERE project_id = $1 AND timestamp = '2025-03-10T08:30:00Z'`,
      [projectId],
    )
    await markHours(db, { projectId, hoursUtc: ['2025-03-10T08:00:00Z'] })
    await refresh()
    expect(await sumRollups(db, { projectId, ...day })).toEqual({ requests: 2, costUsd: '6.000000000000' })
  })

  it('never rebuilds an hour that retention already emptied', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-03-10T05:00:00Z', costUsd: '1.000000000000' }),
    ])
    await refresh()
    await saveRawDeletedBefore(db, { projectId, beforeUtc: '2025-03-11T00:00:00Z' })
    await db.query('DELETE FROM llm_calls WHERE project_id = $1', [projectId])
    await markHoursInRange(db, { projectId, ...day })
    const summary = await refresh()
    expect(summary.retiredMarksDropped).toBe(24)
    expect(await sumRollups(db, { projectId, ...day })).toEqual({ requests: 1, costUsd: '1.000000000000' })
  })
})
