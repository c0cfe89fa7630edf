import { type MigrationStatus, migrationRefusal } from '../storage/migrator.ts'

/** The migrator's refusal of this database (see `migrationRefusal`), worded to follow a colon. */
export function describeMigrationRefusal(status: MigrationStatus): string | undefined {
  const message = migrationRefusal(status)?.message
  return message === undefined ? undefined : `${message.charAt(0).toLowerCase()}${message.slice(1)}`
}
