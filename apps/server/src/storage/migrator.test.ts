import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { writeCallBatch } from '../ingest/write-call-batch.ts'
import { callRow, createProject } from '../jobs/__fixtures__/call-rows.ts'
import { openTestDatabase } from '../testing/test-databases.ts'
import { getMigrationStatus, loadMigrations, migrateDown, migrateUp } from './migrator.ts'
import { insertPriceOverride, listPriceOverrides } from './repositories/price-overrides-repository.ts'
import { StorageError } from './storage-error.ts'

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url))

function copyMigrations(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'acp-migrations-'))
  for (const file of readdirSync(migrationsDir)) {
    writeFileSync(path.join(directory, file), readFileSync(path.join(migrationsDir, file)))
  }
  return directory
}

async function tableNames(db: Awaited<ReturnType<typeof openTestDatabase>>['db']): Promise<string[]> {
  const { rows } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' ORDER BY table_name`,
  )
  return rows.map((row) => row.table_name)
}

for (const dialect of ['pglite', 'postgres'] as const) {
  describe(`migrations [${dialect}]`, () => {
    const disposers: Array<() => Promise<void>> = []
    afterEach(async () => {
      for (const dispose of disposers.splice(0)) await dispose()
    })

    it('applies all, rolls all back, and applies again', async () => {
      const { db, dispose } = await openTestDatabase(dialect, { migrate: false })
      disposers.push(dispose)
      const all = loadMigrations().map((migration) => `${migration.version}_${migration.name}`)
      expect(await migrateUp(db)).toEqual(all)
      expect(await tableNames(db)).toContain('llm_calls')
      expect(await migrateUp(db)).toEqual([])
      expect(await migrateDown(db)).toEqual([...all].reverse())
      expect(await tableNames(db)).toEqual([])
      expect(await migrateUp(db)).toEqual(all)
      expect((await getMigrationStatus(db)).pending).toEqual([])
    })

    it('rebuilds the messages table from the calls when the messages view is rolled back', async () => {
      const { db, dispose } = await openTestDatabase(dialect)
      disposers.push(dispose)
      const projectId = await createProject(db)
      const call = (key: string, messageId: string, time: string) =>
        callRow(projectId, {
          idempotencyKey: key,
          conversationId: 'c1',
          messageId,
          timestamp: `2025-03-10T${time}:00.000Z`,
        })
      await writeCallBatch(db, [call('a', 'm1', '10:05'), call('b', 'm1', '10:00'), call('c', 'm2', '10:10')])
      const messages = () =>
        db.query<{ id: string; at: string }>(
          `SELECT id, to_char(first_seen_at AT TIME ZONE 'UTC', 'HH24:MI') AS at FROM messages ORDER BY id`,
        )
      const expected = [
        { id: 'm1', at: '10:00' },
        { id: 'm2', at: '10:10' },
      ]
      expect((await messages()).rows).toEqual(expected)

      expect(await migrateDown(db, { toVersion: '0004' })).toEqual([
        '0011_price_override_tiers',
        '0010_fast_service_tier',
        '0009_usage_estimated',
        '0008_wide_cost_sums',
        '0007_ultrafast_service_tier',
        '0006_events_keys_by_trigger',
        '0005_messages_from_calls',
      ])
      expect(await tableNames(db)).toContain('messages')
      expect((await messages()).rows).toEqual(expected)
      expect(await migrateUp(db)).toEqual([
        '0005_messages_from_calls',
        '0006_events_keys_by_trigger',
        '0007_ultrafast_service_tier',
        '0008_wide_cost_sums',
        '0009_usage_estimated',
        '0010_fast_service_tier',
        '0011_price_override_tiers',
      ])
      expect((await messages()).rows).toEqual(expected)
      // Back on the view, a deleted conversation's messages leave with it.
      await db.query(`DELETE FROM conversations WHERE project_id = $1 AND id = 'c1'`, [projectId])
      expect((await messages()).rows).toEqual([])
    })

    it('deletes events with their project or conversation by trigger, and restores the keys when rolled back', async () => {
      const { db, dispose } = await openTestDatabase(dialect)
      disposers.push(dispose)
      const [kept, doomed] = [await createProject(db), await createProject(db)]
      const failed = (projectId: string, key: string, conversationId: string) =>
        callRow(projectId, {
          idempotencyKey: key,
          conversationId,
          status: 'error',
          errorType: 'server_error',
        })
      await writeCallBatch(db, [
        failed(kept, 'k1', 'c1'),
        failed(kept, 'k2', 'c2'),
        failed(doomed, 'k3', 'c3'),
      ])
      const eventKeys = async () =>
        (
          await db.query<{ key: string }>(
            `SELECT payload->>'idempotencyKey' AS key FROM observability_events ORDER BY key`,
          )
        ).rows.map((row) => row.key)
      expect(await eventKeys()).toEqual(['k1', 'k2', 'k3'])

      await db.query(`DELETE FROM conversations WHERE project_id = $1 AND id = 'c1'`, [kept])
      await db.query('DELETE FROM projects WHERE id = $1', [doomed])
      expect(await eventKeys()).toEqual(['k2'])

      // Rolled back, the keys are back and check again: an event of a missing conversation is refused.
      expect(await migrateDown(db, { toVersion: '0005' })).toEqual([
        '0011_price_override_tiers',
        '0010_fast_service_tier',
        '0009_usage_estimated',
        '0008_wide_cost_sums',
        '0007_ultrafast_service_tier',
        '0006_events_keys_by_trigger',
      ])
      await expect(
        db.query(
          `INSERT INTO observability_events (project_id, timestamp, event_type, conversation_id)
           VALUES ($1, now(), 'llm_call.failed', 'no-such-conversation')`,
          [kept],
        ),
      ).rejects.toThrow(/foreign key/)
      expect(await eventKeys()).toEqual(['k2'])
      expect(await migrateUp(db)).toEqual([
        '0006_events_keys_by_trigger',
        '0007_ultrafast_service_tier',
        '0008_wide_cost_sums',
        '0009_usage_estimated',
        '0010_fast_service_tier',
        '0011_price_override_tiers',
      ])
    })

    /** A fresh database holding one call of `serviceTier`, and a reader of its calls' tiers and costs. */
    async function oneCallOfTier(serviceTier: 'ultrafast' | 'fast', costUsd: string) {
      const { db, dispose } = await openTestDatabase(dialect)
      disposers.push(dispose)
      const projectId = await createProject(db)
      await writeCallBatch(db, [callRow(projectId, { idempotencyKey: serviceTier, serviceTier, costUsd })])
      const tiers = async () =>
        (
          await db.query<{ tier: string; cost: string }>(
            `SELECT service_tier AS tier, cost_usd::text AS cost FROM llm_calls`,
          )
        ).rows
      return { db, projectId, tiers }
    }

    it('keeps Ultrafast calls as their own tier, and as priority once rolled back past it', async () => {
      const { db, projectId, tiers } = await oneCallOfTier('ultrafast', '0.600000000000')
      expect(await tiers()).toEqual([{ tier: 'ultrafast', cost: '0.600000000000' }])
      await expect(
        db.query(`UPDATE llm_calls SET service_tier = 'turbo' WHERE project_id = $1`, [projectId]),
      ).rejects.toThrow(/llm_calls_service_tier_check/)

      expect(await migrateDown(db, { toVersion: '0006' })).toEqual([
        '0011_price_override_tiers',
        '0010_fast_service_tier',
        '0009_usage_estimated',
        '0008_wide_cost_sums',
        '0007_ultrafast_service_tier',
      ])
      expect(await tiers()).toEqual([{ tier: 'priority', cost: '0.600000000000' }])
      await expect(
        db.query(`UPDATE llm_calls SET service_tier = 'ultrafast' WHERE project_id = $1`, [projectId]),
      ).rejects.toThrow(/llm_calls_service_tier_check/)
      expect(await migrateUp(db)).toEqual([
        '0007_ultrafast_service_tier',
        '0008_wide_cost_sums',
        '0009_usage_estimated',
        '0010_fast_service_tier',
        '0011_price_override_tiers',
      ])
    })

    it('keeps Anthropic fast-mode calls as their own tier, and as priority once rolled back past it', async () => {
      const { db, projectId, tiers } = await oneCallOfTier('fast', '0.180000000000')
      expect(await tiers()).toEqual([{ tier: 'fast', cost: '0.180000000000' }])

      expect(await migrateDown(db, { toVersion: '0009' })).toEqual([
        '0011_price_override_tiers',
        '0010_fast_service_tier',
      ])
      expect(await tiers()).toEqual([{ tier: 'priority', cost: '0.180000000000' }])
      await expect(
        db.query(`UPDATE llm_calls SET service_tier = 'fast' WHERE project_id = $1`, [projectId]),
      ).rejects.toThrow(/llm_calls_service_tier_check/)
      // The tiers 0007 added are still allowed.
      await db.query(`UPDATE llm_calls SET service_tier = 'ultrafast' WHERE project_id = $1`, [projectId])
      expect(await migrateUp(db)).toEqual(['0010_fast_service_tier', '0011_price_override_tiers'])
    })

    it("keeps an override's base prices when its tiers are rolled back, and gives it none when applied again", async () => {
      const { db, dispose } = await openTestDatabase(dialect)
      disposers.push(dispose)
      const projectId = await createProject(db)
      const created = await insertPriceOverride(db, {
        projectId,
        provider: 'acme',
        model: 'tiered',
        effectiveFrom: '2025-01-01T00:00:00Z',
        prices: { input: '1', output: '2' },
        serviceTiers: { batch: { multiplier: '0.5' } },
        longContext: [{ aboveInputTokens: 200_000, prices: { input: '2' } }],
      })
      expect(created).toMatchObject({
        status: 'created',
        record: { serviceTiers: { batch: { multiplier: '0.5' } } },
      })
      const overrides = async () =>
        (await db.query('SELECT * FROM price_overrides WHERE project_id = $1', [projectId])).rows
      expect(await migrateDown(db, { toVersion: '0010' })).toEqual(['0011_price_override_tiers'])
      expect(await overrides()).toEqual([
        expect.not.objectContaining({ service_tiers: expect.anything(), long_context: expect.anything() }),
      ])
      expect(await overrides()).toEqual([expect.objectContaining({ prices: { input: '1', output: '2' } })])
      expect(await migrateUp(db)).toEqual(['0011_price_override_tiers'])
      expect(await listPriceOverrides(db, projectId)).toEqual([
        expect.objectContaining({ prices: { input: '1', output: '2' }, serviceTiers: {}, longContext: [] }),
      ])
    })

    it('stops a roll-back whose down path refuses, in one line naming the migration, and rolls nothing back', async () => {
      const { db, dispose } = await openTestDatabase(dialect)
      disposers.push(dispose)
      const projectId = await createProject(db)
      // A day summed past 10^12 USD: numeric(24, 12), which 0008's down path goes back to, cannot hold it.
      await db.query(
        `INSERT INTO daily_aggregate_days (project_id, day, status, source_fingerprint, source_requests,
           source_cost_usd, aggregate_requests, aggregate_cost_usd, run_id)
         VALUES ($1, '2025-01-01', 'verified', 'f', 1001, 1e12, 1001, 1e12, gen_random_uuid())`,
        [projectId],
      )
      const failure = await migrateDown(db, { toVersion: '0006' }).catch((error: unknown) => error)
      expect(StorageError.isInstance(failure)).toBe(true)
      expect(failure).toMatchObject({
        code: 'MIGRATION_FAILED',
        message: expect.stringMatching(
          /^rolling back 0008_wide_cost_sums failed: Cannot roll back 0008_wide_cost_sums: .*daily_aggregate_days \(project [0-9a-f-]+, day 2025-01-01, .*Nothing was changed\./,
        ),
      })
      expect((failure as Error).message).not.toContain('\n')
      const status = await getMigrationStatus(db)
      expect(status.pending).toEqual([])
      expect(status.applied.at(-1)).toBe('0011_price_override_tiers')
    })

    it('refuses to start when an applied migration was edited', async () => {
      const { db, dispose } = await openTestDatabase(dialect, { migrate: false })
      disposers.push(dispose)
      const directory = copyMigrations()
      await migrateUp(db, loadMigrations(directory))
      const first = readdirSync(directory).find((file) => file.endsWith('.up.sql'))!
      writeFileSync(
        path.join(directory, first),
        `${readFileSync(path.join(directory, first), 'utf8')}\n-- edited\n`,
      )
      await expect(migrateUp(db, loadMigrations(directory))).rejects.toMatchObject({
        code: 'MIGRATION_CHECKSUM_MISMATCH',
        message: expect.stringMatching(/new migration/),
      })
      expect((await getMigrationStatus(db, loadMigrations(directory))).edited).toHaveLength(1)
    })

    it('refuses to start on a database a newer version migrated (an applied migration with no file here)', async () => {
      const { db, dispose } = await openTestDatabase(dialect, { migrate: false })
      disposers.push(dispose)
      const directory = copyMigrations()
      writeFileSync(path.join(directory, '9000_newer.up.sql'), 'CREATE TABLE newer (id int);')
      writeFileSync(path.join(directory, '9000_newer.down.sql'), 'DROP TABLE newer;')
      await migrateUp(db, loadMigrations(directory))
      await expect(migrateUp(db)).rejects.toMatchObject({
        code: 'MIGRATION_UNKNOWN',
        message: expect.stringMatching(/9000_newer/),
      })
      expect((await getMigrationStatus(db)).unknown).toEqual(['9000_newer'])
    })

    it('rolls back a failing migration whole', async () => {
      const { db, dispose } = await openTestDatabase(dialect, { migrate: false })
      disposers.push(dispose)
      const directory = copyMigrations()
      writeFileSync(path.join(directory, '9998_good.up.sql'), 'CREATE TABLE good_one (project_id uuid);')
      writeFileSync(path.join(directory, '9998_good.down.sql'), 'DROP TABLE good_one;')
      writeFileSync(path.join(directory, '9999_broken.up.sql'), 'CREATE TABLE broken (;')
      writeFileSync(path.join(directory, '9999_broken.down.sql'), 'SELECT 1;')
      await expect(migrateUp(db, loadMigrations(directory))).rejects.toMatchObject({
        code: 'MIGRATION_FAILED',
      })
      expect(await tableNames(db)).toEqual([])
    })
  })
}
