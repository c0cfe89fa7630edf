import { type AddressInfo, createServer as createNetServer } from 'node:net'
import { type ServerType, serve } from '@hono/node-server'
import { EnvError, type ServerEnv } from '../env.ts'
import { createApp } from '../http/create-app.ts'
import { createIngestService } from '../ingest/ingest-service.ts'
import { shareRetentionCutMoves } from '../ingest/retention-cutoff-cache.ts'
import { type JobScheduler, startJobScheduler } from '../jobs/job-scheduler.ts'
import { createJobService } from '../jobs/job-service.ts'
import type { Logger } from '../logging/logger.ts'
import { openMessageBus } from '../messaging/open-message-bus.ts'
import { RedisUnavailableError } from '../messaging/redis-message-bus.ts'
import type { Database } from '../storage/database.ts'
import { loadMigrations, migrateUp } from '../storage/migrator.ts'
import { DEFAULT_REQUEST_QUERY_TIMEOUT_MS } from '../storage/postgres-database.ts'
import { ensureInitialProject, type InitialProjectOutcome } from './ensure-initial-project.ts'
import { firstRunMessage } from './first-run-message.ts'
import { openConfiguredDatabase } from './open-configured-database.ts'

/** Longest time a request may take to arrive, headers and body (Node checks it every 30 s). */
export const REQUEST_TIMEOUT_MS = 60_000

/** A running server. */
export interface RunningServer {
  url: string
  db: Database
  close(): Promise<void>
}

// The reasons a server cannot listen that the person starting it can fix, said as EnvError problems.
function listenProblem(error: unknown, env: Pick<ServerEnv, 'HOST' | 'PORT'>): EnvError | undefined {
  const address = `${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${env.PORT}`
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return new EnvError([
        `PORT: cannot listen on ${address}: another process already does; stop it, or set PORT to a free port (0 picks one)`,
      ])
    case 'EACCES':
      return new EnvError([
        `PORT: cannot listen on ${address}: permission denied (ports below 1024 need privileges); set PORT to 1024 or above`,
      ])
    case 'EADDRNOTAVAIL':
      return new EnvError([
        `HOST: cannot listen on ${address}: ${env.HOST} is not an address of this machine; set HOST to one of its addresses, 127.0.0.1 (this machine only) or 0.0.0.0 (all)`,
      ])
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return new EnvError([
        `HOST: cannot listen on ${address}: "${env.HOST}" is not an IP address or a host name that resolves; set HOST to 127.0.0.1 (this machine only) or 0.0.0.0 (all)`,
      ])
    default:
      return undefined
  }
}

/**
 * Fails at once when the address cannot be listened on (a busy port, a HOST that is not of this machine):
 * found only when the server listens, after the database was opened, it would leave a new data folder
 * behind. The port is let go again at once; the server's own listen still reports a port taken since.
 */
async function assertCanListen(env: Pick<ServerEnv, 'HOST' | 'PORT'>): Promise<void> {
  if (env.PORT === 0) return
  const probe = createNetServer()
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error) => reject(listenProblem(error, env) ?? error))
    probe.listen(env.PORT, env.HOST, () => probe.close(() => resolve()))
  })
}

/**
 * Opens the database, applies migrations, makes the first project if needed, and listens. On
 * close: stop accepting, finish queued writes, close the database.
 */
export async function startServer(
  env: ServerEnv,
  logger: Logger,
  options: { print?: (text: string) => void } = {},
): Promise<RunningServer> {
  await assertCanListen(env)
  // Before the database, so a Redis that does not answer leaves no data folder or project behind.
  const bus = await openMessageBus(env.REDIS_URL, (error) =>
    logger.warn('redis error', { err: error.message }),
  ).catch((error: unknown) => {
    if (!(error instanceof RedisUnavailableError)) throw error
    throw new EnvError([
      `REDIS_URL: ${error.message}; start Redis there, or unset REDIS_URL to run one server process without it`,
    ])
  })
  const db = await openConfiguredDatabase(env).catch(async (error: unknown) => {
    await bus.close().catch(() => {})
    throw error
  })
  // Closed again if start-up fails after opening it.
  let server: ServerType | undefined
  try {
    // Read once: applied now, and what `/ready` compares the database with while the server runs.
    const migrations = loadMigrations()
    const applied = await migrateUp(db, migrations)
    if (applied.length > 0) logger.info('migrations applied', { migrations: applied })
    // A key from the environment exists before the server answers, so it is accepted from the first request.
    const headless = env.ACP_INIT_PROJECT !== undefined
    if (headless) await ensureInitialProject(db, env)
    // Requests get an answer within a bound even when the database stops answering; jobs may run long.
    const requestDb = db.withQueryTimeout(DEFAULT_REQUEST_QUERY_TIMEOUT_MS)
    const ingest = createIngestService({
      db: requestDb,
      groupCommitMs: env.ACP_GROUP_COMMIT_MS,
      maxFutureSkewMs: env.ACP_MAX_FUTURE_SKEW_MS,
    })
    const jobs = createJobService({
      db,
      logger,
      onRetentionCutMoved: await shareRetentionCutMoves(ingest.retentionCutoffs, bus),
    })
    const app = createApp({
      db: requestDb,
      ingest,
      logger,
      bus,
      jobs,
      readyFailsWhenStale: env.ACP_READY_FAILS_WHEN_STALE,
      migrations,
    })
    const listening = serve({
      fetch: app.fetch,
      hostname: env.HOST,
      port: env.PORT,
      // A request whose body has not all come in a minute is closed (Node's default is five): a few
      // stalled uploads must not hold ingest's bytes in flight for long.
      // Node checks that timeout every `connectionsCheckingInterval` (30 s by default, so up to 90 s).
      serverOptions: { requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 5_000 },
    })
    server = listening
    await new Promise<void>((resolve, reject) => {
      listening.once('listening', resolve)
      listening.once('error', (error) => reject(listenProblem(error, env) ?? error))
    })
    const { port } = listening.address() as AddressInfo
    const url = `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${port}`
    logger.info('server listening', {
      url,
      database: db.dialect,
      ...(db.dialect === 'pglite' ? { dataDir: env.dataDir } : {}),
    })
    // A generated key is made only once the server listens, and printed at once: a start that fails
    // before (a port in use) must not store a key nobody saw, which the next start would not print.
    const initial: InitialProjectOutcome = headless ? {} : await ensureInitialProject(db, env)
    if (initial.generatedKey && initial.projectName) {
      ;(options.print ?? console.log)(
        firstRunMessage({ projectName: initial.projectName, key: initial.generatedKey, baseUrl: url }),
      )
    }
    // Jobs start once the server answers, so the start-up fill of missing aggregates never delays readiness.
    const scheduler: JobScheduler | undefined = env.ACP_JOBS_ENABLED
      ? startJobScheduler({ db, jobs, logger, rollupIntervalMs: env.ACP_ROLLUP_INTERVAL_MS })
      : undefined
    let closing: Promise<void> | undefined
    return {
      url,
      db,
      close: () => {
        closing ??= (async () => {
          await new Promise<void>((resolve) => listening.close(() => resolve()))
          await (scheduler ?? jobs).stop()
          await ingest.drain()
          await bus.close()
          await db.close()
        })()
        return closing
      },
    }
  } catch (error) {
    const started = server
    if (started) await new Promise<void>((resolve) => started.close(() => resolve()))
    await bus.close().catch(() => {})
    await db.close().catch(() => {})
    throw error
  }
}
