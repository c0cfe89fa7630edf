import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { generateApiKey } from '../../../apps/server/src/keys/api-key.ts'
import type { Database } from '../../../apps/server/src/storage/database.ts'
import { migrateUp } from '../../../apps/server/src/storage/migrator.ts'
import { openPgliteDatabase } from '../../../apps/server/src/storage/pglite-database.ts'
import { openPostgresDatabase } from '../../../apps/server/src/storage/postgres-database.ts'
import { insertApiKey } from '../../../apps/server/src/storage/repositories/api-keys-repository.ts'
import { ensureProject } from '../../../apps/server/src/storage/repositories/projects-repository.ts'

/** A fresh, migrated database for one benchmark run, with a project per side of the comparison. */
export interface BenchDatabase {
  dialect: 'postgres' | 'pglite'
  /** The environment a server needs to use this database. */
  serverEnv: Record<string, string>
  apiKey: string
  httpProjectId: string
  rawProjectId: string
  /** The `application_name` of the server's PostgreSQL connections, so their backends can be found. */
  serverApplicationName: string
  /** Opens the database for direct writes. On PGlite only while no server holds the folder. */
  open(options: { poolSize: number; applicationName?: string }): Promise<Database>
  /** Drops everything the run created. */
  dispose(): Promise<void>
}

/** Options for `openBenchDatabase`. */
export interface OpenBenchDatabaseOptions {
  dialect: 'postgres' | 'pglite'
  postgresUrl: string
  /** Let the server run its scheduled jobs (rollups…) during the run. */
  jobs: boolean
}

async function prepare(
  db: Database,
): Promise<Pick<BenchDatabase, 'apiKey' | 'httpProjectId' | 'rawProjectId'>> {
  await migrateUp(db)
  const http = await ensureProject(db, 'bench-http')
  const raw = await ensureProject(db, 'bench-raw')
  const apiKey = generateApiKey()
  await insertApiKey(db, {
    projectId: http.project.id,
    key: apiKey,
    origin: 'generated',
    scopes: ['ingest', 'read'],
    name: 'bench',
  })
  return { apiKey, httpProjectId: http.project.id, rawProjectId: raw.project.id }
}

/**
 * PostgreSQL: a schema of its own in the given database, reached by the server through the search
 * path in its URL. PGlite: a temporary data folder.
 */
export async function openBenchDatabase(options: OpenBenchDatabaseOptions): Promise<BenchDatabase> {
  const serverDefaults = {
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    ACP_JOBS_ENABLED: options.jobs ? 'true' : 'false',
  }
  if (options.dialect === 'pglite') {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'acp-bench-'))
    const setup = await openPgliteDatabase({ dataDir })
    const prepared = await prepare(setup).finally(() => setup.close())
    return {
      dialect: 'pglite',
      serverEnv: { ...serverDefaults, ACP_DATA_DIR: dataDir },
      serverApplicationName: 'ai-cost-profiler',
      ...prepared,
      open: () => openPgliteDatabase({ dataDir }),
      dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
    }
  }
  const schema = `bench_${randomBytes(6).toString('hex')}`
  const setup = await openPostgresDatabase({ connectionString: options.postgresUrl, schema, poolSize: 1 })
  const prepared = await prepare(setup).finally(() => setup.close())
  const url = new URL(options.postgresUrl)
  url.searchParams.set('options', `-c search_path=${schema},public`)
  // Parameters in the URL win over the pool's own settings, so this names the server's connections.
  const serverApplicationName = `acp-bench-server-${schema}`
  url.searchParams.set('application_name', serverApplicationName)
  return {
    dialect: 'postgres',
    serverEnv: { ...serverDefaults, DATABASE_URL: url.toString() },
    serverApplicationName,
    ...prepared,
    open: ({ poolSize, applicationName }) =>
      openPostgresDatabase({ connectionString: options.postgresUrl, schema, poolSize, applicationName }),
    async dispose() {
      const admin = await openPostgresDatabase({ connectionString: options.postgresUrl, poolSize: 1 })
      await admin.query(`DROP SCHEMA ${schema} CASCADE`).finally(() => admin.close())
    },
  }
}
