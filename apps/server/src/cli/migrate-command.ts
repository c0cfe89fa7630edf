import { parseArgs } from 'node:util'
import { getMigrationStatus, migrateDown, migrateUp } from '../storage/migrator.ts'
import type { Command } from './main.ts'
import { withDatabase } from './with-database.ts'

/** `migrate`: apply pending migrations, show them (`--dry-run`), or roll back (`--down [--to V]`). */
export const migrateCommand: Command = async (args, { env, print }) => {
  const { values } = parseArgs({
    args,
    options: { 'dry-run': { type: 'boolean' }, down: { type: 'boolean' }, to: { type: 'string' } },
  })
  return withDatabase(env, async (db) => {
    if (values['dry-run']) {
      const status = await getMigrationStatus(db)
      if (status.edited.length > 0)
        print(`Edited after being applied (start-up will refuse): ${status.edited.join(', ')}`)
      if (values.down) {
        const toUndo = status.applied
          .filter((name) => values.to === undefined || name.slice(0, 4) > values.to)
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
      const undone = await migrateDown(db, { toVersion: values.to })
      print(undone.length === 0 ? 'Nothing to roll back.' : `Rolled back: ${undone.join(', ')}`)
      return 0
    }
    const applied = await migrateUp(db)
    print(applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`)
    return 0
  })
}
