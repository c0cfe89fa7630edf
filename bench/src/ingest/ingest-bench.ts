import os from 'node:os'
import { parseArgs } from 'node:util'
import type { Database } from '../../../apps/server/src/storage/database.ts'
import { BenchOptionError } from '../bench-option-error.ts'
import { DEFAULT_POSTGRES_URL } from '../default-postgres-url.ts'
import { percentile } from '../percentile.ts'
import { wholeNumberOption } from '../whole-number-option.ts'
import { ensureConversationsOf } from './ensure-conversations-of.ts'
import { insertRawRows } from './insert-raw-rows.ts'
import { type BenchDatabase, openBenchDatabase } from './open-bench-database.ts'
import { postBatches } from './post-batches.ts'
import { type IngestWorkload, prepareIngestWorkload } from './prepare-ingest-workload.ts'
import { readBackendCpuMicros } from './read-backend-cpu-micros.ts'
import { startServerProcess } from './start-server-process.ts'

/**
 * Concurrent senders, as many SDK instances would be. Each waits for its answer before it sends again,
 * so the events in flight (clients × batch) bound what the server can group and overlap; with 16
 * the server and the database both sat partly idle on 2 cores (docs/benchmarks.md has the sweep).
 */
const DEFAULT_CLIENTS = 32

interface BenchSettings {
  eventCount: number
  eventsPerBody: number
  clients: number
  rowsPerStatement: number
  rawConcurrency: number
  cpuProfileDir: string | undefined
  serverNodeFlags: string[]
}

interface HttpMeasurement {
  eventsPerSecond: number
  p50LatencyMs: number
  p99LatencyMs: number
  peakRssMiB: number
  /** CPU per event of the server process, the load generator and the PostgreSQL backends. */
  serverCpuMicrosPerEvent: number
  clientCpuMicrosPerEvent: number
  databaseCpuMicrosPerEvent: number | null
  /** Whether a CHECKPOINT ran just before the timed part (PostgreSQL only). */
  checkpointed: boolean
}

interface RawMeasurement {
  eventsPerSecond: number
  writerCpuMicrosPerEvent: number
  databaseCpuMicrosPerEvent: number | null
  checkpointed: boolean
}

interface RunResult {
  order: string
  /** 1-minute load average before the run: other work on the machine skews the figures. */
  loadAverageBefore: number
  http: HttpMeasurement
  raw: RawMeasurement
  ratio: number
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits))
const log = (text: string) => process.stderr.write(`${text}\n`)
const cpuMicrosOfThisProcess = () => {
  const usage = process.cpuUsage()
  return usage.user + usage.system
}

async function backendCpu(db: Database | undefined, applicationName: string): Promise<number | null> {
  return db ? readBackendCpuMicros(db, applicationName) : null
}

/**
 * Writes every dirty page out before a timed phase, so neither phase pays for the other's (or the
 * warm-up's) pending writes, and whether a phase meets a timed checkpoint depends less on luck.
 * Needs a superuser or the `pg_checkpoint` role; without it the phase starts anyway and the report
 * says so.
 */
async function checkpoint(db: Database | undefined): Promise<boolean> {
  if (!db) return false
  try {
    await db.query('CHECKPOINT')
    return true
  } catch (error) {
    log(`CHECKPOINT before the timed phase failed (${(error as Error).message}); the figures will vary more.`)
    return false
  }
}

function perEvent(before: number | null, after: number | null, events: number): number | null {
  return before === null || after === null ? null : round((after - before) / events, 1)
}

async function measureHttp(
  bench: BenchDatabase,
  workload: IngestWorkload,
  settings: BenchSettings,
): Promise<HttpMeasurement> {
  // A separate connection reads the backends' CPU; PGlite runs inside the server process.
  const observer =
    bench.dialect === 'postgres'
      ? await bench.open({ poolSize: 1, applicationName: 'acp-bench-observer' })
      : undefined
  const server = await startServerProcess({
    env: bench.serverEnv,
    cpuProfileDir: settings.cpuProfileDir,
    nodeFlags: settings.serverNodeFlags,
  })
  try {
    const common = {
      url: server.url,
      apiKey: bench.apiKey,
      eventsPerBody: settings.eventsPerBody,
      clients: settings.clients,
    }
    await postBatches({ ...common, bodies: workload.warmupBodies })
    const checkpointed = await checkpoint(observer)
    const before = {
      server: await server.cpuMicros(),
      client: cpuMicrosOfThisProcess(),
      database: await backendCpu(observer, bench.serverApplicationName),
    }
    const measured = await postBatches({ ...common, bodies: workload.bodies })
    const after = {
      server: await server.cpuMicros(),
      client: cpuMicrosOfThisProcess(),
      database: await backendCpu(observer, bench.serverApplicationName),
    }
    const events = measured.acceptedEvents
    const { maxRssKb } = await server.stop()
    return {
      eventsPerSecond: (events / measured.durationMs) * 1_000,
      p50LatencyMs: percentile(measured.latenciesMs, 50),
      p99LatencyMs: percentile(measured.latenciesMs, 99),
      peakRssMiB: maxRssKb / 1024,
      serverCpuMicrosPerEvent: round((after.server - before.server) / events, 1),
      clientCpuMicrosPerEvent: round((after.client - before.client) / events, 1),
      databaseCpuMicrosPerEvent: perEvent(before.database, after.database, events),
      checkpointed,
    }
  } catch (error) {
    await server.stop().catch(() => {})
    throw error
  } finally {
    await observer?.close()
  }
}

async function measureRaw(
  bench: BenchDatabase,
  workload: IngestWorkload,
  settings: BenchSettings,
): Promise<RawMeasurement> {
  const applicationName = 'acp-bench-raw'
  const db = await bench.open({ poolSize: settings.rawConcurrency, applicationName })
  try {
    const common = { db, rowsPerStatement: settings.rowsPerStatement, concurrency: settings.rawConcurrency }
    const warmupRows = workload.rowsFor(bench.rawProjectId, 'warmup')
    const rows = workload.rowsFor(bench.rawProjectId, 'measured')
    await ensureConversationsOf(db, [...warmupRows, ...rows])
    await insertRawRows({ ...common, rows: warmupRows })
    // PostgreSQL only: PGlite has no backends of its own to read, and runs in this process.
    const postgres = bench.dialect === 'postgres' ? db : undefined
    const checkpointed = await checkpoint(postgres)
    const cpuBefore = {
      writer: cpuMicrosOfThisProcess(),
      database: await backendCpu(postgres, applicationName),
    }
    const { durationMs } = await insertRawRows({ ...common, rows })
    const cpuAfter = {
      writer: cpuMicrosOfThisProcess(),
      database: await backendCpu(postgres, applicationName),
    }
    return {
      eventsPerSecond: (rows.length / durationMs) * 1_000,
      writerCpuMicrosPerEvent: round((cpuAfter.writer - cpuBefore.writer) / rows.length, 1),
      databaseCpuMicrosPerEvent: perEvent(cpuBefore.database, cpuAfter.database, rows.length),
      checkpointed,
    }
  } finally {
    await db.close()
  }
}

async function assertAllStored(bench: BenchDatabase, expectedRows: number): Promise<void> {
  const db = await bench.open({ poolSize: 1 })
  try {
    const { rows } = await db.query<{ projectId: string; count: number }>(
      'SELECT project_id AS "projectId", count(*)::int AS count FROM llm_calls GROUP BY project_id',
    )
    if (rows.length !== 2 || rows.some((row) => row.count !== expectedRows)) {
      throw new Error(`expected ${expectedRows} rows in each project, found ${JSON.stringify(rows)}`)
    }
  } finally {
    await db.close()
  }
}

/**
 * `npm run bench -- ingest [--database postgres|pglite] [--events N] [--runs R] [--clients C]`
 *
 * End-to-end ingest over HTTP (the real server in a child process, batches of 100 events, C
 * concurrent keep-alive clients (default 32), after a warm-up) against the raw ceiling: the same rows written
 * straight into the same table with the server's multi-row statement, in the group sizes the
 * server's committer forms (C × batch / 2 rows: two groups in flight). Each run uses a fresh
 * schema (or PGlite folder); the order of the two phases alternates between runs so neither always
 * meets the larger table (the default, 4 runs, is even so each order counts alike; the ratio is
 * also given per order). The server's scheduled jobs are off (`--jobs` turns them on) so the run
 * measures ingest alone. Prints medians over the runs as JSON on stdout, with the CPU each side
 * spends per event so a 2-core result can be read.
 */
export async function ingestBench(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      database: { type: 'string', default: 'postgres' },
      'postgres-url': { type: 'string', default: DEFAULT_POSTGRES_URL },
      events: { type: 'string' },
      warmup: { type: 'string' },
      runs: { type: 'string' },
      clients: { type: 'string' },
      batch: { type: 'string' },
      'raw-rows': { type: 'string' },
      'raw-concurrency': { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
      'server-node-flags': { type: 'string' },
      jobs: { type: 'boolean', default: false },
    },
  })
  const dialect = values.database
  if (dialect !== 'postgres' && dialect !== 'pglite')
    throw new BenchOptionError(`--database takes postgres or pglite; got "${dialect}"`)
  const eventCount = wholeNumberOption(values.events, dialect === 'postgres' ? 200_000 : 30_000, 'events')
  const warmupEventCount = wholeNumberOption(
    values.warmup,
    Math.max(1_000, Math.round(eventCount / 10)),
    'warmup',
  )
  const runs = wholeNumberOption(values.runs, 4, 'runs')
  const clients = wholeNumberOption(values.clients, DEFAULT_CLIENTS, 'clients')
  const eventsPerBody = wholeNumberOption(values.batch, 100, 'batch')
  // The server writes two groups at once on PostgreSQL and one on PGlite (see ingest-service.ts).
  const rawConcurrency = wholeNumberOption(
    values['raw-concurrency'],
    dialect === 'postgres' ? 2 : 1,
    'raw-concurrency',
  )
  const settings: BenchSettings = {
    eventCount,
    eventsPerBody,
    clients,
    rawConcurrency,
    rowsPerStatement: wholeNumberOption(
      values['raw-rows'],
      Math.max(eventsPerBody, Math.round((clients * eventsPerBody) / rawConcurrency)),
      'raw-rows',
    ),
    cpuProfileDir: values['cpu-prof-dir'],
    serverNodeFlags: values['server-node-flags']?.split(' ').filter(Boolean) ?? [],
  }

  log(`Preparing ${warmupEventCount} + ${eventCount} events…`)
  const workload = prepareIngestWorkload({
    warmupEventCount,
    eventCount,
    eventsPerBody,
    seedValue: 20_261_122,
  })
  const results: RunResult[] = []
  let postgresVersion: string | undefined

  for (let run = 0; run < runs; run++) {
    const loadAverageBefore = round(os.loadavg()[0] ?? 0, 2)
    const bench = await openBenchDatabase({ dialect, postgresUrl: values['postgres-url'], jobs: values.jobs })
    try {
      const order = run % 2 === 0 ? (['http', 'raw'] as const) : (['raw', 'http'] as const)
      let http: HttpMeasurement | undefined
      let raw: RawMeasurement | undefined
      for (const phase of order) {
        if (phase === 'http') http = await measureHttp(bench, workload, settings)
        else raw = await measureRaw(bench, workload, settings)
      }
      await assertAllStored(bench, warmupEventCount + eventCount)
      if (dialect === 'postgres' && !postgresVersion) {
        const db = await bench.open({ poolSize: 1 })
        postgresVersion = (
          await db.query<{ server_version: string }>('SHOW server_version').finally(() => db.close())
        ).rows[0]?.server_version
      }
      if (!http || !raw) throw new Error('a phase did not run')
      const result: RunResult = {
        order: order.join('→'),
        loadAverageBefore,
        http: {
          ...http,
          eventsPerSecond: round(http.eventsPerSecond),
          p50LatencyMs: round(http.p50LatencyMs, 1),
          p99LatencyMs: round(http.p99LatencyMs, 1),
          peakRssMiB: round(http.peakRssMiB),
        },
        raw: { ...raw, eventsPerSecond: round(raw.eventsPerSecond) },
        ratio: round(http.eventsPerSecond / raw.eventsPerSecond, 3),
      }
      results.push(result)
      log(`run ${run + 1}/${runs}: ${JSON.stringify(result)}`)
    } finally {
      await bench.dispose()
    }
  }

  const median = (pick: (result: RunResult) => number | null) => {
    const samples = results.map(pick).filter((value): value is number => value !== null)
    return samples.length === 0 ? null : percentile(samples, 50)
  }
  const report = {
    benchmark: 'ingest',
    database: dialect,
    ...(postgresVersion ? { postgresVersion } : {}),
    machine: { cpus: os.cpus().length, memoryGiB: round(os.totalmem() / 2 ** 30, 1), node: process.version },
    events: eventCount,
    warmupEvents: warmupEventCount,
    eventsPerRequest: eventsPerBody,
    clients,
    serverJobs: values.jobs,
    ...(settings.serverNodeFlags.length > 0 ? { serverNodeFlags: settings.serverNodeFlags } : {}),
    raw: { rowsPerStatement: settings.rowsPerStatement, concurrentStatements: rawConcurrency },
    runs: results.length,
    median: {
      httpEventsPerSecond: median((result) => result.http.eventsPerSecond),
      rawEventsPerSecond: median((result) => result.raw.eventsPerSecond),
      ratio: median((result) => result.ratio),
      // The phase that goes second meets a table larger by the first phase's rows.
      ratioByOrder: Object.fromEntries(
        [...new Set(results.map((result) => result.order))].map((order) => [
          order,
          percentile(
            results.filter((result) => result.order === order).map((result) => result.ratio),
            50,
          ),
        ]),
      ),
      p50LatencyMs: median((result) => result.http.p50LatencyMs),
      p99LatencyMs: median((result) => result.http.p99LatencyMs),
      serverPeakRssMiB: median((result) => result.http.peakRssMiB),
      serverCpuMicrosPerEvent: median((result) => result.http.serverCpuMicrosPerEvent),
      httpDatabaseCpuMicrosPerEvent: median((result) => result.http.databaseCpuMicrosPerEvent),
      rawDatabaseCpuMicrosPerEvent: median((result) => result.raw.databaseCpuMicrosPerEvent),
    },
    perRun: results,
  }
  console.log(JSON.stringify(report, null, 2))
  return 0
}
