import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Queryable } from '../storage/database.ts'
import { openPgliteDatabase } from '../storage/pglite-database.ts'
import { type CliTestTarget, cliTestContext, openCliTestTarget } from '../testing/cli-test-target.ts'
import { CliError } from './cli-error.ts'
import { migrateCommand } from './migrate-command.ts'

async function run(target: CliTestTarget, args: string[]): Promise<{ exitCode: number; printed: string[] }> {
  const { context, printed } = cliTestContext(target.env)
  return { exitCode: await migrateCommand(args, context), printed }
}

/** Runs `work` on the target's database, as the test itself (PGlite: while no command has it open). */
async function withTargetDb<T>(target: CliTestTarget, work: (db: Queryable) => Promise<T>): Promise<T> {
  if (target.postgres) return work(target.postgres.db)
  const db = await openPgliteDatabase({ dataDir: target.dataDir })
  try {
    return await work(db)
  } finally {
    await db.close()
  }
}

const KNOWN =
  '0001_initial, 0002_rollups_and_jobs, 0003_messages_cascade_by_trigger, 0004_calls_keys_by_trigger, 0005_messages_from_calls, 0006_events_keys_by_trigger, 0007_ultrafast_service_tier, 0008_wide_cost_sums, 0009_usage_estimated, 0010_fast_service_tier, 0011_price_override_tiers'

for (const dialect of ['pglite', 'postgres'] as const) {
  describe(`migrate command [${dialect}]`, () => {
    let target: CliTestTarget | undefined
    beforeAll(async () => {
      target = await openCliTestTarget(dialect, 'acp-migrate-')
    })
    afterAll(async () => {
      await target?.dispose()
    })

    it.each([
      [['--down', '--to', 'abc', '--dry-run']],
      [['--down', '--to', '9999']],
      [['--down', '--to', '04']],
    ])('refuses %j, an unknown target, with exit code 2 naming the known migrations', async (args) => {
      const failure = await run(target!, args).catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(CliError)
      expect(failure).toMatchObject({
        exitCode: 2,
        message: `--to takes the version of a known migration (${KNOWN}); got "${args[2]}". Without --to, --down rolls back every migration.`,
      })
    })

    it('refuses --to without --down instead of ignoring it', async () => {
      const failure = await run(target!, ['--to', '0004']).catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(CliError)
      expect(failure).toMatchObject({
        exitCode: 2,
        message:
          '--to goes with --down: `migrate --down --to 0004` rolls back the migrations newer than 0004. `migrate` alone applies every pending migration.',
      })
    })

    it('rolls back to a known version, given as a version or a whole name', async () => {
      expect((await run(target!, [])).printed.at(-1)).toMatch(/^Applied: 0001_initial, /)
      expect((await run(target!, ['--down', '--to', '0004', '--dry-run'])).printed).toEqual([
        'Would roll back:\n  0011_price_override_tiers\n  0010_fast_service_tier\n  0009_usage_estimated\n  0008_wide_cost_sums\n  0007_ultrafast_service_tier\n  0006_events_keys_by_trigger\n  0005_messages_from_calls\nStored data this would change, where there is any:\n  0011_price_override_tiers: the service-tier and long-context rates of price overrides, which then bill every call at their base prices (stored costs stay until a recompute)\n  0010_fast_service_tier: the `fast` tier of calls, which become `priority` (their stored costs stay; a later recompute prices Anthropic calls at standard rates, OpenAI calls at priority rates)\n  0009_usage_estimated: which calls had estimated usage (`usageEstimated`); their stored cost status stays, but a later recompute marks such calls `priced`\n  0007_ultrafast_service_tier: the `ultrafast` tier of calls, which become `priority` (their stored costs stay; a later recompute prices them as `priority`)\nNot checked by a dry run: the down file of 0008_wide_cost_sums checks the stored data when it runs and refuses, changing nothing, when the data no longer fits the older schema.',
      ])
      expect(await run(target!, ['--down', '--to', '0004_calls_keys_by_trigger'])).toEqual({
        exitCode: 0,
        printed: [
          'Rolled back: 0011_price_override_tiers, 0010_fast_service_tier, 0009_usage_estimated, 0008_wide_cost_sums, 0007_ultrafast_service_tier, 0006_events_keys_by_trigger, 0005_messages_from_calls\nStored data this changed, where there was any:\n  0011_price_override_tiers: the service-tier and long-context rates of price overrides, which then bill every call at their base prices (stored costs stay until a recompute)\n  0010_fast_service_tier: the `fast` tier of calls, which become `priority` (their stored costs stay; a later recompute prices Anthropic calls at standard rates, OpenAI calls at priority rates)\n  0009_usage_estimated: which calls had estimated usage (`usageEstimated`); their stored cost status stays, but a later recompute marks such calls `priced`\n  0007_ultrafast_service_tier: the `ultrafast` tier of calls, which become `priority` (their stored costs stay; a later recompute prices them as `priority`)',
        ],
      })
      expect((await run(target!, ['--down', '--to', '0004'])).printed).toEqual(['Nothing to roll back.'])
      expect((await run(target!, [])).printed).toEqual([
        'Applied: 0005_messages_from_calls, 0006_events_keys_by_trigger, 0007_ultrafast_service_tier, 0008_wide_cost_sums, 0009_usage_estimated, 0010_fast_service_tier, 0011_price_override_tiers',
      ])
    })

    it.each([
      [
        'edited after it was applied',
        `UPDATE schema_migrations SET checksum = 'edited' WHERE version = '0003'`,
        `UPDATE schema_migrations SET checksum = $1 WHERE version = '0003'`,
        'migration(s) 0003_messages_cascade_by_trigger changed after they were applied. Restore the original file(s) and put the change in a new migration.',
      ],
      [
        'unknown here',
        `INSERT INTO schema_migrations (version, name, checksum) VALUES ('9000', 'newer', 'x')`,
        `DELETE FROM schema_migrations WHERE version = '9000'`,
        'the database has migration(s) 9000_newer that this version does not know: a newer version migrated it. Run that version, or roll those migrations back with it (migrate --down --to), before starting this one.',
      ],
    ])(
      'a dry run says the real run would refuse a migration %s, with exit code 1',
      async (_, change, undo, reason) => {
        expect((await run(target!, [])).exitCode).toBe(0)
        const checksum = await withTargetDb(target!, async (db) => {
          const { rows } = await db.query<{ checksum: string }>(
            `SELECT checksum FROM schema_migrations WHERE version = '0003'`,
          )
          await db.query(change)
          return rows[0]?.checksum
        })
        try {
          for (const args of [
            ['--dry-run'],
            ['--down', '--dry-run'],
            ['--down', '--to', '0006', '--dry-run'],
          ]) {
            const failure = await run(target!, args).catch((error: unknown) => error)
            expect(failure, args.join(' ')).toBeInstanceOf(CliError)
            expect(failure).toMatchObject({
              exitCode: 1,
              message: `\`migrate${args.includes('--down') ? ' --down' : ''}\` would refuse: ${reason}`,
            })
          }
        } finally {
          await withTargetDb(target!, (db) => db.query(undo, undo.includes('$1') ? [checksum] : []))
        }
      },
    )
  })
}
