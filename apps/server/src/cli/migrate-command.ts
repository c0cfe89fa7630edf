import { parseArgs } from 'node:util'
import { getMigrationStatus, loadMigrations, migrateDown, migrateUp } from '../storage/migrator.ts'
import { CliError } from './cli-error.ts'
import type { Command } from './main.ts'
import { withDatabase } from './with-database.ts'

// The version `--to` names: `0004` or the whole name `0004_calls_keys_by_trigger` of a known migration.
function parseTargetVersion(text: string): string {
  const migrations = loadMigrations()
  const target = migrations.find(
    (migration) => text === migration.version || text === `${migration.version}_${migration.name}`,
  )
  if (target === undefined) {
    const known = migrations.map((migration) => `${migration.version}_${migration.name}`).join(', ')
    throw new CliError(
      `--to takes the version of a known migration (${known}); got "${text}". Without --to, --down rolls back every migration.`,
      2,
    )
  }
  return target.version
}

/** `migrate`: apply pending migrations, show them (`--dry-run`), or roll back (`--down [--to V]`). */
export const migrateCommand: Command = async (args, { env, print }) => {
  const { values } = parseArgs({
    args,
    options: { 'dry-run': { type: 'boolean' }, down: { type: 'boolean' }, to: { type: 'string' } },
  })
  // Checked before the database is opened, so wrong usage changes nothing.
  if (values.to !== undefined && !values.down) {
    throw new CliError(
      `--to goes with --down: \`migrate --down --to ${values.to}\` rolls back the migrations newer than ${values.to}. \`migrate\` alone applies every pending migration.`,
      2,
    )
  }
  const toVersion = values.to === undefined ? undefined : parseTargetVersion(values.to)
  return withDatabase(env, async (db) => {
    if (values['dry-run']) {
      const status = await getMigrationStatus(db)
      if (status.edited.length > 0)
        print(`Edited after being applied (start-up will refuse): ${status.edited.join(', ')}`)
      if (status.unknown.length > 0)
        print(`Applied by a newer version, unknown here (start-up will refuse): ${status.unknown.join(', ')}`)
      if (values.down) {
        const toUndo = status.applied
          .filter((name) => toVersion === undefined || name.slice(0, 4) > toVersion)
          .reverse()
        print(
          toUndo.length === 0
            ? 'Nothing to roll back.'
            : `Would roll back:\n${toUndo.map((name) => `  ${name}`).join('\n')}`,
        )
        return 0
      }
      if (status.pending.length === 0) {
        print('Database is up to date; nothing would run.')
        return 0
      }
      print(`Would apply ${status.pending.length} migration(s) in one transaction:`)
      for (const migration of status.pending)
        print(`\n-- ${migration.version}_${migration.name}\n${migration.upSql.trim()}`)
      return 0
    }
    if (values.down) {
      const undone = await migrateDown(db, { toVersion })
      print(undone.length === 0 ? 'Nothing to roll back.' : `Rolled back: ${undone.join(', ')}`)
      return 0
    }
    const applied = await migrateUp(db)
    print(applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`)
    return 0
  })
}
