import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { callRow, insertCalls } from '../jobs/__fixtures__/call-rows.ts'
import { addUtcDays, utcDayOf } from '../jobs/utc-days.ts'
import type { Database } from '../storage/database.ts'
import { migrateUp } from '../storage/migrator.ts'
import { openPgliteDatabase } from '../storage/pglite-database.ts'
import { openPostgresDatabase } from '../storage/postgres-database.ts'
import { ensureProject } from '../storage/repositories/projects-repository.ts'
import { cliTestContext } from '../testing/cli-test-target.ts'
import { openTestDatabase, TEST_POSTGRES_URL } from '../testing/test-databases.ts'
import { backfillCommand } from './backfill-command.ts'
import { CliError } from './cli-error.ts'
import { pricesCommand } from './prices-command.ts'
import { recomputeCommand } from './recompute-command.ts'
import { retentionCommand } from './retention-command.ts'

interface Target {
  env: Record<string, string>
  /** Opens the target's database for the test itself (PGlite: only while no command has it open). */
  withDb<T>(work: (db: Database) => Promise<T>): Promise<T>
  dispose: () => Promise<void>
}

async function openTarget(dialect: 'pglite' | 'postgres'): Promise<Target> {
  if (dialect === 'pglite') {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'acp-jobs-cli-'))
    return {
      env: { ACP_DATA_DIR: dataDir },
      async withDb(work) {
        const db = await openPgliteDatabase({ dataDir })
        try {
          return await work(db)
        } finally {
          await db.close()
        }
      },
      dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
    }
  }
  const handle = await openTestDatabase('postgres', { migrate: false })
  const url = new URL(TEST_POSTGRES_URL)
  url.searchParams.set('options', `-c search_path=${handle.schema}`)
  return {
    env: { DATABASE_URL: url.toString() },
    async withDb(work) {
      const db = await openPostgresDatabase({
        connectionString: TEST_POSTGRES_URL,
        schema: handle.schema,
        poolSize: 2,
      })
      try {
        return await work(db)
      } finally {
        await db.close()
      }
    },
    dispose: handle.dispose,
  }
}

for (const dialect of ['pglite', 'postgres'] as const) {
  describe(`job commands [${dialect}]`, () => {
    let target: Target
    const today = utcDayOf(Date.now())
    const [first, second] = [addUtcDays(today, -3), addUtcDays(today, -2)]
    beforeAll(async () => {
      target = await openTarget(dialect)
      await target.withDb(async (db) => {
        await migrateUp(db)
        const { project } = await ensureProject(db, 'cli-jobs')
        await insertCalls(db, [
          callRow(project.id, {
            timestamp: `${first}T10:00:00Z`,
            provider: 'acme',
            model: 'house-model',
            costUsd: null,
            costStatus: 'unpriced',
            priceSource: null,
            priceEntryId: null,
            inputTokens: 2_000_000,
            outputTokens: 0,
            cacheReadInputTokens: 0,
          }),
          callRow(project.id, { timestamp: `${second}T10:00:00Z`, costUsd: '0.250000000000' }),
        ])
      })
    })
    afterAll(async () => {
      await target.dispose()
    })

    it('backfills with a progress bar on stderr, and a second run finds every day current', async () => {
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
      try {
        const run = cliTestContext(target.env)
        expect(
          await backfillCommand(
            ['--from', first, '--to', second, '--delay-ms', '0', '--batch-days', '1'],
            run.context,
          ),
        ).toBe(0)
        expect(run.text()).toMatch(/Aggregated 2 day\(s\) .*: 2 project-day\(s\) rebuilt/)
        expect(stderr.mock.calls.map(([text]) => String(text)).join('')).toContain('Aggregated 2/2 days')
        const again = cliTestContext(target.env)
        expect(
          await backfillCommand(
            ['--from', first, '--to', second, '--delay-ms', '0', '--json', '--quiet'],
            again.context,
          ),
        ).toBe(0)
        expect(JSON.parse(again.text())).toMatchObject({
          days: 2,
          succeeded: 2,
          stored: 0,
          failed: [],
          peakRssBytes: expect.any(Number),
        })
      } finally {
        stderr.mockRestore()
      }
      const refused = cliTestContext(target.env)
      await expect(backfillCommand(['--from', first, '--to', today], refused.context)).rejects.toMatchObject({
        exitCode: 2,
        message: expect.stringMatching(/not over yet/),
      })
    })

    it('sets a price, shows the recompute diff in a dry run, applies it, and deletes the price', async () => {
      const set = cliTestContext(target.env)
      const price = [
        '--project',
        'cli-jobs',
        '--provider',
        'acme',
        '--model',
        'house-model',
        '--from',
        '2020-01-01',
        '--input',
        '0.5',
        '--output',
        '1',
      ]
      expect(await pricesCommand(['set', ...price], set.context)).toBe(0)
      expect(set.text()).toMatch(/Created override/)
      expect(
        await pricesCommand(
          ['set', ...price.slice(0, -2), '--output', '2'],
          cliTestContext(target.env).context,
        ),
      ).toBe(0)
      const listed = cliTestContext(target.env)
      await pricesCommand(['list', '--project', 'cli-jobs'], listed.context)
      expect(listed.text()).toMatch(
        /v2 {2}acme\/house-model from 2020-01-01T00:00:00.000Z: input 0.5, output 2/,
      )
      const id = /^(\S+) {2}v2/.exec(listed.text())?.[1] ?? ''

      const dryRunOutput = async () => {
        const dryRun = cliTestContext(target.env)
        const dryRunArgs = ['--from', first, '--to', second, '--project', 'cli-jobs', '--dry-run']
        expect(await recomputeCommand(dryRunArgs, dryRun.context)).toBe(0)
        return dryRun.text()
      }
      expect(await dryRunOutput()).toMatch(
        /acme\/house-model +1 +1 +0\.000000000000 +1\.000000000000 +\+1\.000000000000 +1/,
      )
      // A price off by powers of ten: the call is named, and would be left unpriced rather than stored.
      expect(
        await pricesCommand(
          ['set', ...price.slice(0, -4), '--input', '999999999', '--output', '2'],
          cliTestContext(target.env).context,
        ),
      ).toBe(0)
      expect(await dryRunOutput()).toMatch(
        /1 call\(s\) would be left unpriced: their new cost passes 999999999\.999999999999 USD.*First: \S+ \(acme\/house-model at \S+: \d+\.\d{12} USD\)\. Correct the price/,
      )
      expect(
        await pricesCommand(
          ['set', ...price.slice(0, -2), '--output', '2'],
          cliTestContext(target.env).context,
        ),
      ).toBe(0)

      const applied = cliTestContext(target.env)
      expect(await recomputeCommand(['--from', first, '--to', second, '--json'], applied.context)).toBe(0)
      // The fixture's made-up price of the gpt-4o-mini call is corrected by the catalogue too.
      expect(JSON.parse(applied.text())).toMatchObject({
        dryRun: false,
        projects: [{ changed: 2 }],
        days: [
          { day: first, status: 'succeeded' },
          { day: second, status: 'succeeded' },
        ],
      })

      expect(
        await pricesCommand(
          ['delete', '--project', 'cli-jobs', '--id', id, '--version', '1'],
          cliTestContext(target.env).context,
        ).catch((error: Error) => error.message),
      ).toMatch(/at version 4/)
      expect(
        await pricesCommand(
          ['delete', '--project', 'cli-jobs', '--id', id],
          cliTestContext(target.env).context,
        ),
      ).toBe(0)
    })

    it('shows what retention would delete without deleting it', async () => {
      const run = cliTestContext(target.env)
      expect(await retentionCommand(['--dry-run', '--project', 'cli-jobs'], run.context)).toBe(0)
      expect(run.text()).toMatch(/cli-jobs \(keeps 400 days, cut at .*\): would delete 0 call\(s\)/)
      expect(run.text()).toContain('Dry run: nothing was deleted.')

      const set = cliTestContext(target.env)
      expect(await retentionCommand(['set', '--project', 'cli-jobs', '--days', '2'], set.context)).toBe(0)
      expect(set.text()).toMatch(/now keeps 2 days of raw calls \(was 400\)/)
      // The cut falls at midnight two days back: the call of three days ago goes, the one of two days ago stays.
      const shortened = cliTestContext(target.env)
      expect(await retentionCommand(['--dry-run', '--project', 'cli-jobs'], shortened.context)).toBe(0)
      expect(shortened.text()).toMatch(/keeps 2 days, cut at .*\): would delete 1 call\(s\)/)
      await expect(
        retentionCommand(['set', '--project', 'cli-jobs', '--days', '0'], cliTestContext(target.env).context),
      ).rejects.toMatchObject({ exitCode: 2 })
    })
  })
}

describe('prices arguments', () => {
  const dataDir = path.join(tmpdir(), `acp-prices-never-opened-${process.pid}`)
  const { context } = cliTestContext({ ACP_DATA_DIR: dataDir })

  it.each([
    [
      ['delete', '--project', 'default', '--id', 'not-a-uuid'],
      '--id must be an override id as `prices list` shows it (a UUID such as 0b8e1c52-4c1f-4d3a-9f5e-2a7d6c3b1e90); got "not-a-uuid".',
    ],
    [['delete', '--project', 'default'], '--id OVERRIDE_ID is required (see `prices list`).'],
    [
      ['delete', '--project', 'default', '--id', '0b8e1c52-4c1f-4d3a-9f5e-2a7d6c3b1e90', '--version', '0'],
      '--version takes a whole number from 1 to 2147483647; got "0".',
    ],
    [
      ['set', '--project', 'default', '--provider', 'acme', '--model', 'm', '--from', '2025-01-01'],
      expect.stringMatching(/^Invalid price override: input .*; output .*Give --provider/),
    ],
  ])('refuses %j with exit code 2 before opening the database', async (args, message) => {
    const failure = await pricesCommand(args, context).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(CliError)
    expect(failure).toMatchObject({ message, exitCode: 2 })
    expect(existsSync(dataDir)).toBe(false)
  })
})
