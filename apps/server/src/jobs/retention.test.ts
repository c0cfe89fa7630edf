import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import { createLogger } from '../logging/logger.ts'
import type { Database } from '../storage/database.ts'
import { sumDailyAggregates } from '../storage/repositories/aggregates-repository.ts'
import { getRolledUpCostSummary } from '../storage/repositories/analytics-repository.ts'
import { upsertConversations } from '../storage/repositories/conversations-repository.ts'
import { insertObservabilityEvents } from '../storage/repositories/observability-events-repository.ts'
import { findProjectRetention } from '../storage/repositories/retention-repository.ts'
import { markHours, sumRollups } from '../storage/repositories/rollups-repository.ts'
import { describeEachDatabase } from '../testing/test-databases.ts'
import { aggregateDays } from './__fixtures__/aggregate-days.ts'
import { callRow, createProject, insertCalls } from './__fixtures__/call-rows.ts'
import { runDailyAggregation } from './daily-aggregation.ts'
import { JobMetrics } from './job-metrics.ts'
import { createJobService } from './job-service.ts'
import { type RetentionProjectReport, runRetention } from './retention.ts'
import { refreshRollups } from './rollup-refresh.ts'

const logger = createLogger({ level: 'silent' })
// 30 days before this is 2025-05-16T10:00Z; the cut falls at that day's midnight.
const NOW = () => Date.parse('2025-06-15T10:00:00Z')

async function timestampsOf(db: Database, projectId: string): Promise<string[]> {
  const { rows } = await db.query<{ at: string }>(
    `SELECT to_char(timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM llm_calls WHERE project_id = $1 ORDER BY timestamp`,
    [projectId],
  )
  return rows.map((row) => row.at)
}

const refresh = (db: Database, metrics = new JobMetrics()) => refreshRollups({ db, logger, metrics })

const aggregate = (db: Database, days: string[]) => aggregateDays(db, days, NOW)

describeEachDatabase('retention', (getDb) => {
  async function seed(db: Database) {
    const projectId = await createProject(db)
    await db.query('UPDATE projects SET retention_days = 30 WHERE id = $1', [projectId])
    await upsertConversations(db, [
      {
        projectId,
        id: 'old',
        userId: 'u1',
        feature: null,
        firstSeenAt: '2025-05-01T00:00:00Z',
        lastSeenAt: '2025-05-15T12:00:00Z',
      },
      {
        projectId,
        id: 'spans-cut',
        userId: 'u1',
        feature: null,
        firstSeenAt: '2025-05-10T00:00:00Z',
        lastSeenAt: '2025-05-20T12:00:00Z',
      },
    ])
    await insertCalls(db, [
      callRow(projectId, {
        timestamp: '2025-05-01T08:00:00Z',
        conversationId: 'old',
        messageId: 'm-old',
        costUsd: '1.000000000000',
      }),
      callRow(projectId, { timestamp: '2025-05-15T23:59:59.999Z', costUsd: '2.000000000000' }),
      callRow(projectId, { timestamp: '2025-05-16T00:00:00Z', costUsd: '4.000000000000' }),
      callRow(projectId, {
        timestamp: '2025-05-16T09:59:59Z',
        conversationId: 'spans-cut',
        messageId: 'm-kept',
        costUsd: '8.000000000000',
      }),
      callRow(projectId, { timestamp: '2025-06-01T00:00:00Z', costUsd: '16.000000000000' }),
    ])
    await insertObservabilityEvents(db, [
      {
        projectId,
        timestamp: '2025-05-02T00:00:00Z',
        eventType: 'llm_call.failed',
        correlationId: 'a',
        conversationId: null,
        payload: '{}',
      },
      {
        projectId,
        timestamp: '2025-05-20T00:00:00Z',
        eventType: 'llm_call.failed',
        correlationId: 'b',
        conversationId: null,
        payload: '{}',
      },
    ])
    return projectId
  }

  it('counts in a dry run, then deletes only raw rows before the UTC midnight cut, in batches; rollups and aggregates stay', async () => {
    const db = getDb()
    const projectId = await seed(db)
    const metrics = new JobMetrics()
    await refresh(db, metrics)
    await runDailyAggregation({
      db,
      logger,
      metrics,
      runId: randomUUID(),
      trigger: 'cli',
      days: ['2025-05-01', '2025-05-15'],
      now: NOW,
    })

    const [dryRun] = await runRetention({ db, logger, metrics, projectId, dryRun: true, now: NOW })
    expect(dryRun).toMatchObject({
      cutoffUtc: '2025-05-16T00:00:00.000Z',
      rows: { llm_calls: 2, observability_events: 1, conversations: 1 },
    })
    expect(await timestampsOf(db, projectId)).toHaveLength(5)

    const [report] = await runRetention({ db, logger, metrics, projectId, batchSize: 1, now: NOW })
    expect(report?.rows).toEqual({ llm_calls: 2, observability_events: 1, conversations: 1 })
    expect(metrics.value('acp_retention_deleted_rows_total', { table: 'llm_calls' })).toBe(2)
    // A deleted conversation's messages go with its calls; a kept one keeps them.
    const messages = await db.query<{ id: string }>('SELECT id FROM messages WHERE project_id = $1', [
      projectId,
    ])
    expect(messages.rows).toEqual([{ id: 'm-kept' }])
    // The first row inside the window, and one older than 30 days but after the cut, are untouched.
    expect(await timestampsOf(db, projectId)).toEqual([
      '2025-05-16T00:00:00.000Z',
      '2025-05-16T09:59:59.000Z',
      '2025-06-01T00:00:00.000Z',
    ])
    expect(
      await sumRollups(db, { projectId, fromUtc: '2025-05-01T00:00:00Z', toUtc: '2025-05-16T00:00:00Z' }),
    ).toEqual({
      requests: 2,
      costUsd: '3.000000000000',
    })
    expect(await sumDailyAggregates(db, { projectId, fromDay: '2025-05-01', toDay: '2025-05-15' })).toEqual({
      requests: 2,
      costUsd: '3.000000000000',
    })

    // A late row for a day retention emptied never rebuilds that day's rollup or aggregate from what is left,
    // and is not left raw outside every sum either: the refresh deletes it with its mark.
    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-05-15T10:00:00Z', costUsd: '32.000000000000' }),
    ])
    await refresh(db, metrics)
    expect(await timestampsOf(db, projectId)).toEqual([
      '2025-05-16T00:00:00.000Z',
      '2025-05-16T09:59:59.000Z',
      '2025-06-01T00:00:00.000Z',
    ])
    const [late] = await runDailyAggregation({
      db,
      logger,
      metrics,
      runId: randomUUID(),
      trigger: 'cli',
      days: ['2025-05-15'],
      now: NOW,
    })
    expect(late).toMatchObject({ status: 'succeeded', stored: 0 })
    expect(
      await sumRollups(db, { projectId, fromUtc: '2025-05-15T00:00:00Z', toUtc: '2025-05-16T00:00:00Z' }),
    ).toEqual({
      requests: 1,
      costUsd: '2.000000000000',
    })
    const [next] = await runRetention({ db, logger, metrics, projectId, now: NOW })
    expect(next?.rows.llm_calls).toBe(0)
  })

  it('waits for a day before the cut to get a verified aggregate; a dry run says so too', async () => {
    const db = getDb()
    const projectId = await seed(db)
    const metrics = new JobMetrics()
    await refresh(db, metrics)
    await runDailyAggregation({
      db,
      logger,
      metrics,
      runId: randomUUID(),
      trigger: 'cli',
      days: ['2025-05-01'],
      now: NOW,
    })
    const [dryRun] = await runRetention({ db, logger, metrics, projectId, dryRun: true, now: NOW })
    expect(dryRun).toMatchObject({
      rows: { llm_calls: 2 },
      postponed: expect.stringMatching(/2025-05-15 before the cut have no verified aggregate/),
    })
    const [waiting] = await runRetention({ db, logger, metrics, projectId, now: NOW })
    expect(waiting?.postponed).toMatch(/2025-05-15/)
    expect(await timestampsOf(db, projectId)).toHaveLength(5)

    await runDailyAggregation({
      db,
      logger,
      metrics,
      runId: randomUUID(),
      trigger: 'cli',
      days: ['2025-05-15'],
      now: NOW,
    })
    const [done] = await runRetention({ db, logger, metrics, projectId, now: NOW })
    expect(done).not.toHaveProperty('postponed')
    expect(done?.rows.llm_calls).toBe(2)
  })

  it('waits while hours before the cut still wait for their rollup', async () => {
    const db = getDb()
    const projectId = await seed(db)
    await markHours(db, { projectId, hoursUtc: ['2025-05-10T00:00:00Z'] })
    const [report] = await runRetention({ db, logger, metrics: new JobMetrics(), projectId, now: NOW })
    expect(report?.postponed).toMatch(/1 hour/)
    expect(await timestampsOf(db, projectId)).toHaveLength(5)
  })

  it('as a job, refreshes the rollups first: hours waiting for their rollup do not postpone it', async () => {
    const db = getDb()
    const projectId = await seed(db)
    await refresh(db)
    await aggregate(db, ['2025-05-01', '2025-05-15'])
    // As after a late call, with no server refreshing on a schedule (the CLI alone).
    await markHours(db, { projectId, hoursUtc: ['2025-05-10T00:00:00Z'] })
    const jobs = createJobService({ db, logger, now: NOW })
    const { done } = await jobs.start('retention', { projectId }, 'cli')
    const [report] = (await done).result as RetentionProjectReport[]
    expect(report).not.toHaveProperty('postponed')
    expect(report?.rows.llm_calls).toBe(2)
  })

  it('keeps a late call the rollups do not hold yet, and its day, until the day has an aggregate holding it', async () => {
    const db = getDb()
    const projectId = await seed(db)
    const metrics = new JobMetrics()
    await refresh(db)
    await aggregate(db, ['2025-05-01', '2025-05-15'])
    // Accepted while the cut was older; no refresh has seen it yet.
    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-05-15T10:15:00Z', costUsd: '32.000000000000' }),
    ])

    const [unmarked] = await runRetention({ db, logger, metrics, projectId, now: NOW })
    expect(unmarked?.postponed).toBe(
      'day(s) 2025-05-15 before the cut hold calls their hourly rollups do not have yet; run retention again after the next rollup refresh',
    )
    expect(unmarked?.rows.llm_calls).toBe(0)
    expect(await findProjectRetention(db, projectId)).toMatchObject({ rawDeletedBefore: null })

    // Rolled up now, but the day's aggregate was built before it: it would stay short of it for good.
    await refresh(db)
    const [stale] = await runRetention({ db, logger, metrics, projectId, now: NOW })
    expect(stale?.postponed).toBe(
      'day(s) 2025-05-15 before the cut have no verified aggregate holding all their calls: run `backfill` for them',
    )
    expect(await timestampsOf(db, projectId)).toHaveLength(6)

    await aggregate(db, ['2025-05-15'])
    const [done] = await runRetention({ db, logger, metrics, projectId, now: NOW })
    expect(done).not.toHaveProperty('postponed')
    expect(done?.rows.llm_calls).toBe(3)
    const period = { projectId, fromUtc: '2025-05-01T00:00:00Z', toUtc: '2025-05-16T00:00:00Z' }
    expect(await sumRollups(db, period)).toEqual({ requests: 3, costUsd: '35.000000000000' })
    expect(await sumDailyAggregates(db, { projectId, fromDay: '2025-05-01', toDay: '2025-05-15' })).toEqual({
      requests: 3,
      costUsd: '35.000000000000',
    })
    const summary = await getRolledUpCostSummary(db, { ...period, nowUtc: new Date(NOW()).toISOString() })
    expect(summary.totals).toMatchObject({ requests: 3, costUsd: '35.000000000000' })
  })

  it('moves the cut before it deletes; a call that slips in meanwhile is deleted with the others, never left raw outside every sum', async () => {
    const db = getDb()
    const projectId = await seed(db)
    const metrics = new JobMetrics()
    await refresh(db)
    await aggregate(db, ['2025-05-01', '2025-05-15'])
    const announced: Array<string | null | undefined> = []
    const [report] = await runRetention({
      db,
      logger,
      metrics,
      projectId,
      now: NOW,
      // Ingest, told the cut moved, still had a call in flight that it checked against the old one.
      async onCutMoved(movedProjectId) {
        expect(movedProjectId).toBe(projectId)
        announced.push((await findProjectRetention(db, projectId))?.rawDeletedBefore)
        await insertCalls(db, [
          callRow(projectId, { timestamp: '2025-05-10T10:00:00Z', costUsd: '64.000000000000' }),
        ])
      },
    })
    expect(announced).toEqual(['2025-05-16T00:00:00Z'])
    expect(report?.rows.llm_calls).toBe(3)

    // Another process's cache had not heard of the move yet.
    await insertCalls(db, [
      callRow(projectId, { timestamp: '2025-05-12T10:00:00Z', costUsd: '128.000000000000' }),
    ])
    await refresh(db)
    expect(await timestampsOf(db, projectId)).toEqual([
      '2025-05-16T00:00:00.000Z',
      '2025-05-16T09:59:59.000Z',
      '2025-06-01T00:00:00.000Z',
    ])
    const period = { projectId, fromUtc: '2025-05-01T00:00:00Z', toUtc: '2025-05-16T00:00:00Z' }
    expect(await sumRollups(db, period)).toEqual({ requests: 2, costUsd: '3.000000000000' })
    const summary = await getRolledUpCostSummary(db, { ...period, nowUtc: new Date(NOW()).toISOString() })
    expect(summary.totals).toMatchObject({ requests: 2, costUsd: '3.000000000000' })
  })
})
