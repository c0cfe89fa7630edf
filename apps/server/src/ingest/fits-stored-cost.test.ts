import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { callRow, createProject, insertCalls } from '../jobs/__fixtures__/call-rows.ts'
import { runDailyAggregation } from '../jobs/daily-aggregation.ts'
import { JobMetrics } from '../jobs/job-metrics.ts'
import { refreshRollups } from '../jobs/rollup-refresh.ts'
import { createLogger } from '../logging/logger.ts'
import type { Database } from '../storage/database.ts'
import { getMigrationStatus, migrateDown, migrateUp } from '../storage/migrator.ts'
import { openTestDatabase } from '../testing/test-databases.ts'
import { fitsStoredCost, MAX_STORED_COST_USD } from './fits-stored-cost.ts'

const logger = createLogger({ level: 'silent' })

/** Every column that stores a sum of `llm_calls.cost_usd`, with its precision and scale. */
async function costSumColumns(db: Database) {
  const { rows } = await db.query<{ column: string; precision: number; scale: number }>(
    `SELECT table_name || '.' || column_name AS column, numeric_precision AS precision, numeric_scale AS scale
     FROM information_schema.columns
     WHERE table_schema = current_schema()
       AND table_name IN ('llm_call_hourly_rollups', 'llm_call_daily_aggregates', 'daily_aggregate_days')
       AND column_name LIKE '%cost_usd'
     ORDER BY 1`,
  )
  return rows
}

const widths = (precision: number) =>
  [
    'daily_aggregate_days.aggregate_cost_usd',
    'daily_aggregate_days.source_cost_usd',
    'llm_call_daily_aggregates.cost_usd',
    'llm_call_hourly_rollups.cost_usd',
  ].map((column) => ({ column, precision, scale: 12 }))

describe('fitsStoredCost', () => {
  it('accepts up to 9 whole digits', () => {
    expect(fitsStoredCost(MAX_STORED_COST_USD)).toBe(true)
    expect(fitsStoredCost('0.000000000001')).toBe(true)
    expect(fitsStoredCost('1000000000.000000000000')).toBe(false)
    expect(fitsStoredCost('999999999000.000000000000')).toBe(false)
  })
})

for (const dialect of ['pglite', 'postgres'] as const) {
  describe(`stored cost sums [${dialect}]`, () => {
    const disposers: Array<() => Promise<void>> = []
    afterEach(async () => {
      for (const dispose of disposers.splice(0)) await dispose()
    })

    it('hold 26 whole digits, and rolling 0008 back refuses, changing nothing, while a sum would not fit', async () => {
      const { db, dispose } = await openTestDatabase(dialect)
      disposers.push(dispose)
      expect(await costSumColumns(db)).toEqual(widths(38))
      const projectId = await createProject(db)
      await insertCalls(
        db,
        Array.from({ length: 1_001 }, () =>
          callRow(projectId, { timestamp: '2025-02-10T05:00:00Z', costUsd: MAX_STORED_COST_USD }),
        ),
      )
      const metrics = new JobMetrics()
      await refreshRollups({ db, logger, metrics })
      const [day] = await runDailyAggregation({
        db,
        logger,
        metrics,
        runId: randomUUID(),
        trigger: 'cli',
        days: ['2025-02-10'],
        now: () => Date.parse('2025-06-01T00:00:00Z'),
      })
      expect(day?.status).toBe('succeeded')

      const refusal = migrateDown(db, { toVersion: '0007' })
      await expect(refusal).rejects.toThrow(/Cannot roll back 0008_wide_cost_sums/)
      const message = await refusal.catch((error: Error) => error.message)
      for (const table of ['llm_call_hourly_rollups', 'llm_call_daily_aggregates', 'daily_aggregate_days']) {
        expect(message).toContain(`${table} (project ${projectId}`)
      }
      expect(message).toContain('1000999999999.999999998999 USD')
      expect(message).toContain('Keep migration 0008 applied')
      expect((await getMigrationStatus(db)).applied).toContain('0008_wide_cost_sums')
      expect(await costSumColumns(db)).toEqual(widths(38))
      const { rows } = await db.query<{ cost: string }>(
        'SELECT cost_usd::text AS cost FROM llm_call_daily_aggregates WHERE project_id = $1',
        [projectId],
      )
      expect(rows).toEqual([{ cost: '1000999999999.999999998999' }])

      // Once no sum is that large, it rolls back to numeric(24, 12) and up again, keeping the sums that fit.
      await db.query('UPDATE llm_call_hourly_rollups SET cost_usd = 1001 WHERE project_id = $1', [projectId])
      await db.query('DELETE FROM daily_aggregate_days WHERE project_id = $1', [projectId])
      await db.query('DELETE FROM llm_call_daily_aggregates WHERE project_id = $1', [projectId])
      expect(await migrateDown(db, { toVersion: '0007' })).toEqual([
        '0011_price_override_tiers',
        '0010_fast_service_tier',
        '0009_usage_estimated',
        '0008_wide_cost_sums',
      ])
      expect(await costSumColumns(db)).toEqual(widths(24))
      expect(await migrateUp(db)).toEqual([
        '0008_wide_cost_sums',
        '0009_usage_estimated',
        '0010_fast_service_tier',
        '0011_price_override_tiers',
      ])
      expect(await costSumColumns(db)).toEqual(widths(38))
      const rollups = await db.query<{ cost: string }>(
        'SELECT cost_usd::text AS cost FROM llm_call_hourly_rollups WHERE project_id = $1',
        [projectId],
      )
      expect(rollups.rows).toEqual([{ cost: '1001.000000000000' }])
    })
  })
}
