import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import { callRow, createProject, insertCalls } from '../../jobs/__fixtures__/call-rows.ts'
import { runDailyAggregation } from '../../jobs/daily-aggregation.ts'
import { JobMetrics } from '../../jobs/job-metrics.ts'
import { refreshRollups } from '../../jobs/rollup-refresh.ts'
import { createLogger } from '../../logging/logger.ts'
import { describeEachDatabase } from '../../testing/test-databases.ts'
import { listDailyCosts } from './daily-costs-repository.ts'

const logger = createLogger({ level: 'silent' })
const LATER = '2025-04-01T00:00:00Z'

describeEachDatabase('daily costs by time zone', (getDb) => {
  const daily = async (projectId: string, timeZone: string, fromDay: string, toDay: string, nowUtc = LATER) =>
    (await listDailyCosts(getDb(), { projectId, fromDay, toDay, timeZone, nowUtc })).map((day) => ({
      date: day.date,
      requests: day.requests,
      costUsd: day.costUsd,
    }))

  it('cuts days at local midnight, and at the first whole UTC hour for +05:30 and +05:45 zones', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    await insertCalls(db, [
      // 23:40 in Kolkata and 23:55 in Kathmandu on 10 March: inside the UTC hour that starts on 10 March locally.
      callRow(projectId, { timestamp: '2025-03-10T18:10:00Z', costUsd: '1.000000000000' }),
      // 00:10 on 11 March in Kolkata, 00:25 in Kathmandu: still in that hour, so counted on 10 March there.
      callRow(projectId, { timestamp: '2025-03-10T18:40:00Z', costUsd: '2.000000000000' }),
      // 00:35 on 11 March in Kolkata: the next UTC hour starts on 11 March locally.
      callRow(projectId, { timestamp: '2025-03-10T19:05:00Z', costUsd: '4.000000000000' }),
    ])
    await refreshRollups({ db, logger, metrics: new JobMetrics() })
    expect(await daily(projectId, 'UTC', '2025-03-10', '2025-03-11')).toEqual([
      { date: '2025-03-10', requests: 3, costUsd: '7.000000000000' },
    ])
    for (const zone of ['Asia/Kolkata', 'Asia/Kathmandu']) {
      expect(await daily(projectId, zone, '2025-03-10', '2025-03-11'), zone).toEqual([
        { date: '2025-03-10', requests: 2, costUsd: '3.000000000000' },
        { date: '2025-03-11', requests: 1, costUsd: '4.000000000000' },
      ])
    }
    // Totals over a range never lose or double an hour.
    expect(await daily(projectId, 'Asia/Kolkata', '2025-03-11', '2025-03-11')).toEqual([
      { date: '2025-03-11', requests: 1, costUsd: '4.000000000000' },
    ])
  })

  it('follows daylight saving time: a 23-hour day in New York', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-03-09T04:30:00Z', costUsd: '1.000000000000' }), // 23:30 EST on 8 March
      callRow(projectId, { timestamp: '2025-03-09T05:30:00Z', costUsd: '2.000000000000' }), // 00:30 EST on 9 March
      callRow(projectId, { timestamp: '2025-03-10T03:30:00Z', costUsd: '4.000000000000' }), // 23:30 EDT on 9 March
      callRow(projectId, { timestamp: '2025-03-10T04:30:00Z', costUsd: '8.000000000000' }), // 00:30 EDT on 10 March
    ])
    await refreshRollups({ db, logger, metrics: new JobMetrics() })
    expect(await daily(projectId, 'America/New_York', '2025-03-08', '2025-03-10')).toEqual([
      { date: '2025-03-08', requests: 1, costUsd: '1.000000000000' },
      { date: '2025-03-09', requests: 2, costUsd: '6.000000000000' },
      { date: '2025-03-10', requests: 1, costUsd: '8.000000000000' },
    ])
  })

  it('serves verified UTC days from their aggregate, says when one is stale, and reads the open hour raw', async () => {
    const db = getDb()
    const projectId = await createProject(db)
    const day12 = () =>
      listDailyCosts(db, {
        projectId,
        fromDay: '2025-03-12',
        toDay: '2025-03-12',
        timeZone: 'UTC',
        nowUtc: LATER,
      })
    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-03-12T10:00:00Z', costUsd: '1.000000000000' }),
    ])
    // No overlap: the refresh's watermark passes the call at once, as it does a minute later in service.
    await refreshRollups({ db, logger, metrics: new JobMetrics(), overlapMs: 0 })
    await runDailyAggregation({
      db,
      logger,
      metrics: new JobMetrics(),
      runId: randomUUID(),
      trigger: 'cli',
      days: ['2025-03-12'],
    })
    const verified = await day12()
    expect(verified).toEqual([
      expect.objectContaining({
        source: 'daily-aggregate',
        verification: 'verified',
        costUsd: '1.000000000000',
      }),
    ])

    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-03-12T11:00:00Z', costUsd: '2.000000000000' }),
    ])
    // Before the refresh, the rollups still agree with the aggregate, but the stored calls do not.
    const behind = await day12()
    expect(behind).toEqual([
      expect.objectContaining({ source: 'hourly-rollup', verification: 'stale', costUsd: '1.000000000000' }),
    ])
    await refreshRollups({ db, logger, metrics: new JobMetrics() })
    const stale = await day12()
    expect(stale).toEqual([
      expect.objectContaining({ source: 'hourly-rollup', verification: 'stale', costUsd: '3.000000000000' }),
    ])

    // The hour containing "now" is read raw, so a call is visible before any refresh.
    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-03-12T11:20:00Z', costUsd: '4.000000000000' }),
    ])
    const open = await daily(projectId, 'UTC', '2025-03-12', '2025-03-12', '2025-03-12T11:30:00Z')
    expect(open).toEqual([{ date: '2025-03-12', requests: 3, costUsd: '7.000000000000' }])
  })
})
