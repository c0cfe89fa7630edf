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

// A `prices set` with everything but its prices.
const PRICE_SET_HEAD = 'set --project default --provider acme --model m --from 2025-01-01'.split(' ')

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
        /acme\/house-model +1 +1 +unpriced +1\.000000000000 +\+1\.000000000000 +1/,
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

    it('aligns the columns of the recompute diff for a long model name and a large sum', async () => {
      const model = 'ft:gpt-4.1-mini-2025-04-14:acme:support-intent:9xK2LmQ4'
      await target.withDb(async (db) => {
        const { project } = await ensureProject(db, 'cli-jobs')
        // No price for it: the dry run would leave it unpriced, a delta of 23 characters.
        await insertCalls(db, [
          callRow(project.id, { timestamp: `${second}T11:00:00Z`, model, costUsd: '123456789.123456789012' }),
        ])
      })
      const run = cliTestContext(target.env)
      const args = ['--from', second, '--to', second, '--model', model, '--project', 'cli-jobs', '--dry-run']
      expect(await recomputeCommand(args, run.context)).toBe(0)
      const table = run.printed.filter((line) => line.startsWith('  ') && !line.startsWith('   '))
      expect(table).toEqual([
        `  provider/model${' '.repeat(50)}requests  changed             cost before  cost after                    delta  newly priced`,
        `  openai/${model}         1        1  123456789.123456789012    unpriced  -123456789.123456789012             0`,
      ])
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
      '--input USD and --output USD are required.',
    ],
    [[...PRICE_SET_HEAD, '--input', '0.30'], '--output USD is required.'],
    [
      ['set', '--project', 'default', '--input', '1', '--output', '2'],
      '--provider P, --model M and --from DATE are required.',
    ],
    [
      [...PRICE_SET_HEAD, '--input', '-1', '--output', '1'],
      expect.stringMatching(
        /^Invalid price override: input must be a decimal string of USD per million tokens, [^\n]* \(`prices set --help` shows its usage\)\.$/,
      ),
    ],
  ])('refuses %j with exit code 2 before opening the database', async (args, message) => {
    const failure = await pricesCommand(args, context).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(CliError)
    expect(failure).toMatchObject({ message, exitCode: 2 })
    expect(existsSync(dataDir)).toBe(false)
  })
})

describe('backfill arguments', () => {
  const dataDir = path.join(tmpdir(), `acp-backfill-never-opened-${process.pid}`)
  const today = utcDayOf(Date.now())
  const tomorrow = addUtcDays(today, 1)

  it.each([
    [
      { ACP_DATA_DIR: dataDir },
      ['--from', today, '--to', tomorrow, '--include-today'],
      `--to ${tomorrow} is after today (${today} UTC): a day that has not begun has nothing to aggregate. End the range at ${addUtcDays(today, -1)}, or at ${today} with --include-today.`,
    ],
    [
      { ACP_DATA_DIR: dataDir },
      ['--from', tomorrow, '--to', tomorrow],
      `--to ${tomorrow} is after today (${today} UTC): a day that has not begun has nothing to aggregate. End the range at ${addUtcDays(today, -1)}, or at ${today} with --include-today.`,
    ],
    [
      { DATABASE_URL: TEST_POSTGRES_URL, ACP_DB_POOL_SIZE: '1' },
      ['--from', '2025-01-01', '--to', '2025-01-02'],
      '--concurrency 1 needs 2 database connections (one per day in flight, one for bookkeeping); ACP_DB_POOL_SIZE is 1: set it to 2 or more.',
    ],
  ])('refuses %j %j with exit code 2 before opening the database', async (env, args, message) => {
    const failure = await backfillCommand(args, cliTestContext(env).context).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(CliError)
    expect(failure).toMatchObject({ message, exitCode: 2 })
    expect(existsSync(dataDir)).toBe(false)
  })
})
