import {
  getMigrationStatus,
  loadMigrations,
  type Migration,
  migrateDown,
  migrateUp,
} from '../storage/migrator.ts'
import { CliError } from './cli-error.ts'
import { parseCommandOptions } from './command-options.ts'
import type { Command } from './main.ts'
import { describeMigrationRefusal } from './migration-refusal.ts'
import { withDatabase, withExistingDatabase } from './with-database.ts'

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

/** The migrations of this version by their whole name, `0004_calls_keys_by_trigger`. */
function migrationsByName(): Map<string, Migration> {
  return new Map(loadMigrations().map((migration) => [`${migration.version}_${migration.name}`, migration]))
}

/**
 * A note on the down files among `names` that check the stored data when they run and may refuse
 * (0008 does while a stored sum no longer fits the narrower column): a dry run does not run them, as
 * that would take the real run's locks.
 */
function describeDataGuards(names: readonly string[]): string {
  const byName = migrationsByName()
  const guarded = names.filter((name) => /\bRAISE\s+EXCEPTION\b/i.test(byName.get(name)?.downSql ?? ''))
  if (guarded.length === 0) return ''
  return `\nNot checked by a dry run: the down file of ${guarded.join(', ')} checks the stored data when it runs and refuses, changing nothing, when the data no longer fits the older schema.`
}

/**
 * What rolling back `names` changes in the stored data, from the `-- loses:` lines of their down files
 * (a dropped table, a tier folded into another, a flag dropped), so an operator reads it before and
 * after the real run.
 */
function describeDataLoss(names: readonly string[], heading: string): string {
  const byName = migrationsByName()
  const losses = names.flatMap((name) =>
    [...(byName.get(name)?.downSql ?? '').matchAll(/^-- loses: (.+)$/gm)].map(
      (line) => `  ${name}: ${line[1]}`,
    ),
  )
  return losses.length === 0 ? '' : `\n${heading}\n${losses.join('\n')}`
}

function describePlan(heading: string, migrations: readonly Migration[]): string {
  const sql = migrations.map(
    (migration) => `\n-- ${migration.version}_${migration.name}\n${migration.upSql.trim()}`,
  )
  return [`${heading} ${migrations.length} migration(s) in one transaction:`, ...sql].join('\n')
}

/** `migrate`: apply pending migrations, show them (`--dry-run`), or roll back (`--down [--to V]`). */
export const migrateCommand: Command = async (args, { env, print }) => {
  const values = parseCommandOptions('migrate', args, {
    'dry-run': { type: 'boolean' },
    down: { type: 'boolean' },
    to: { type: 'string' },
  })
  // Checked before the database is opened, so wrong usage changes nothing.
  if (values.to !== undefined && !values.down) {
    throw new CliError(
      `--to goes with --down: \`migrate --down --to ${values.to}\` rolls back the migrations newer than ${values.to}. \`migrate\` alone applies every pending migration.`,
      2,
    )
  }
  const toVersion = values.to === undefined ? undefined : parseTargetVersion(values.to)
  if (values['dry-run']) {
    // A dry run changes nothing: it neither creates a database nor migrates one.
    const planned = await withExistingDatabase(env, async (db) => {
      const status = await getMigrationStatus(db)
      const refusal = describeMigrationRefusal(status)
      if (refusal !== undefined)
        throw new CliError(`\`migrate${values.down ? ' --down' : ''}\` would refuse: ${refusal}`)
      if (values.down) {
        const toUndo = status.applied
          .filter((name) => toVersion === undefined || name.slice(0, 4) > toVersion)
          .reverse()
        if (toUndo.length === 0) return 'Nothing to roll back.'
        return `Would roll back:\n${toUndo.map((name) => `  ${name}`).join('\n')}${describeDataLoss(toUndo, 'Stored data this would change, where there is any:')}${describeDataGuards(toUndo)}`
      }
      return status.pending.length === 0
        ? 'Database is up to date; nothing would run.'
        : describePlan('Would apply', status.pending)
    })
    if (planned !== undefined) print(planned)
    else if (values.down) print('Nothing to roll back.')
    else
      print(describePlan('There is no database yet: `migrate` would create it and apply', loadMigrations()))
    return 0
  }
  if (values.down) {
    // A database that does not exist has nothing to roll back, and is not created for that.
    const undone = (await withExistingDatabase(env, (db) => migrateDown(db, { toVersion }))) ?? []
    print(
      undone.length === 0
        ? 'Nothing to roll back.'
        : `Rolled back: ${undone.join(', ')}${describeDataLoss(undone, 'Stored data this changed, where there was any:')}`,
    )
    return 0
  }
  const applied = await withDatabase(env, migrateUp)
  print(applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`)
  return 0
}
