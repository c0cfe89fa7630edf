import type { MigrationStatus } from '../storage/migrator.ts'

/**
 * Why migrating this database, up or down, would be refused, as the migrator refuses it: an applied
 * migration's file was edited, or the database has a migration this version has no file for.
 * `undefined` when nothing stands in the way. Dry runs and read-only commands say it without migrating.
 */
export function migrationRefusal(status: MigrationStatus): string | undefined {
  if (status.edited.length > 0) {
    return `migration(s) ${status.edited.join(', ')} changed after they were applied. Restore the original file(s) and put the change in a new migration.`
  }
  if (status.unknown.length > 0) {
    return `the database has migration(s) ${status.unknown.join(', ')} that this version does not know: a newer version migrated it. Run that version, or roll those migrations back with it (migrate --down --to), before starting this one.`
  }
  return undefined
}
