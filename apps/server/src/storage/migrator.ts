import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Database, Queryable } from './database.ts'
import { StorageError } from './storage-error.ts'

/** One migration: `NNNN_name.up.sql` with its `NNNN_name.down.sql`. */
export interface Migration {
  version: string
  name: string
  upSql: string
  downSql: string
  /** SHA-256 of the up file; an applied migration whose file changed stops start-up. */
  checksum: string
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url))
// Any constant works; it keeps two processes from migrating at once on PostgreSQL.
const MIGRATION_LOCK_KEY = 4_242_001

/** Reads the migrations folder, ordered by version. */
export function loadMigrations(directory = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(directory)
  return files
    .filter((file) => file.endsWith('.up.sql'))
    .sort()
    .map((file) => {
      const match = /^(\d{4})_([a-z0-9_]+)\.up\.sql$/.exec(file)
      if (!match)
        throw new StorageError(
          'MIGRATION_FAILED',
          `migration file ${file} must be named NNNN_name.up.sql: four digits, then lower-case letters, digits and _`,
        )
      const [, version = '', name = ''] = match
      const upSql = readFileSync(`${directory}/${file}`, 'utf8')
      const downFile = `${version}_${name}.down.sql`
      if (!files.includes(downFile)) {
        throw new StorageError(
          'MIGRATION_MISSING',
          `migration ${version}_${name} has no ${downFile}; every migration needs a down path`,
        )
      }
      const downSql = readFileSync(`${directory}/${downFile}`, 'utf8')
      return { version, name, upSql, downSql, checksum: createHash('sha256').update(upSql).digest('hex') }
    })
}

interface AppliedRow {
  version: string
  name: string
  checksum: string
}

async function ensureMigrationsTable(db: Queryable): Promise<void> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version text PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`)
}

async function readApplied(db: Queryable): Promise<AppliedRow[]> {
  const { rows } = await db.query<AppliedRow>(
    'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
  )
  return rows
}

/** Where the database stands against the migrations folder. */
export interface MigrationStatus {
  applied: string[]
  pending: Migration[]
  /** Applied migrations whose file no longer matches what was applied. */
  edited: string[]
  /** Applied migrations with no file here: the database was migrated by a newer version. */
  unknown: string[]
}

function compare(applied: AppliedRow[], migrations: Migration[]): MigrationStatus {
  const byVersion = new Map(migrations.map((migration) => [migration.version, migration]))
  const appliedVersions = new Set(applied.map((row) => row.version))
  const edited = applied
    .filter((row) => byVersion.get(row.version) && byVersion.get(row.version)?.checksum !== row.checksum)
    .map((row) => `${row.version}_${row.name}`)
  return {
    applied: applied.map((row) => `${row.version}_${row.name}`),
    pending: migrations.filter((migration) => !appliedVersions.has(migration.version)),
    edited,
    unknown: applied.filter((row) => !byVersion.has(row.version)).map((row) => `${row.version}_${row.name}`),
  }
}

/**
 * Why migrating this database, up or down, is refused: an applied migration's file was edited, or the
 * database has a migration this version has no file for. `undefined` when nothing stands in the way.
 * Dry runs and read-only commands report it without migrating.
 */
export function migrationRefusal(status: MigrationStatus): StorageError | undefined {
  if (status.edited.length > 0) {
    return new StorageError(
      'MIGRATION_CHECKSUM_MISMATCH',
      `Migration(s) ${status.edited.join(', ')} changed after they were applied. Restore the original file(s) and put the change in a new migration.`,
    )
  }
  if (status.unknown.length > 0) {
    return new StorageError(
      'MIGRATION_UNKNOWN',
      `The database has migration(s) ${status.unknown.join(', ')} that this version does not know: a newer version migrated it. Run that version, or roll those migrations back with it (migrate --down --to), before starting this one.`,
    )
  }
  return undefined
}

function assertNotEdited(status: MigrationStatus): void {
  const refusal = migrationRefusal(status)
  if (refusal) throw refusal
}

/** Reads the status without changing anything (used by `/ready` and `migrate --dry-run`). */
export async function getMigrationStatus(
  db: Database,
  migrations = loadMigrations(),
): Promise<MigrationStatus> {
  const { rows } = await db.query<{ exists: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS exists",
  )
  const applied = rows[0]?.exists ? await readApplied(db) : []
  return compare(applied, migrations)
}

/**
 * Applies every pending migration in one transaction: all of them or none. Refuses to run when an
 * applied migration was edited.
 */
export async function migrateUp(db: Database, migrations = loadMigrations()): Promise<string[]> {
  return db.transaction(async (tx) => {
    // Another process may be migrating, and a migration may wait for the tables it alters: both waits
    // are as long as they take, whatever lock_timeout the connection has.
    await tx.exec('SET LOCAL lock_timeout = 0')
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY])
    await ensureMigrationsTable(tx)
    const status = compare(await readApplied(tx), migrations)
    assertNotEdited(status)
    for (const migration of status.pending) {
      try {
        await tx.exec(migration.upSql)
      } catch (error) {
        throw new StorageError(
          'MIGRATION_FAILED',
          `migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`,
          { cause: error },
        )
      }
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ])
    }
    return status.pending.map((migration) => `${migration.version}_${migration.name}`)
  })
}

/**
 * Rolls back applied migrations newer than `toVersion` (all of them when omitted), newest first, in
 * one transaction.
 */
export async function migrateDown(
  db: Database,
  options: { toVersion?: string } = {},
  migrations = loadMigrations(),
) {
  const byVersion = new Map(migrations.map((migration) => [migration.version, migration]))
  return db.transaction(async (tx) => {
    // Another process may be migrating, and a migration may wait for the tables it alters: both waits
    // are as long as they take, whatever lock_timeout the connection has.
    await tx.exec('SET LOCAL lock_timeout = 0')
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY])
    await ensureMigrationsTable(tx)
    const applied = await readApplied(tx)
    assertNotEdited(compare(applied, migrations))
    const toUndo = applied
      .filter((row) => options.toVersion === undefined || row.version > options.toVersion)
      .reverse()
    for (const row of toUndo) {
      const migration = byVersion.get(row.version)
      if (!migration) {
        throw new StorageError(
          'MIGRATION_MISSING',
          `applied migration ${row.version}_${row.name} has no file to roll it back with`,
        )
      }
      try {
        await tx.exec(migration.downSql)
      } catch (error) {
        // The transaction rolls back whole: no migration is undone, and the CLI says so in one line.
        throw new StorageError(
          'MIGRATION_FAILED',
          `rolling back ${row.version}_${row.name} failed: ${(error as Error).message}`,
          { cause: error },
        )
      }
      await tx.query('DELETE FROM schema_migrations WHERE version = $1', [row.version])
    }
    return toUndo.map((row) => `${row.version}_${row.name}`)
  })
}
