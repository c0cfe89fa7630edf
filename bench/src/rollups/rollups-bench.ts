import { parseArgs } from 'node:util'
import { JobMetrics } from '../../../apps/server/src/jobs/job-metrics.ts'
import { refreshRollups } from '../../../apps/server/src/jobs/rollup-refresh.ts'
import { addUtcDays, utcDayOf } from '../../../apps/server/src/jobs/utc-days.ts'
import { createLogger } from '../../../apps/server/src/logging/logger.ts'
import type { Database } from '../../../apps/server/src/storage/database.ts'
import { sumDailyAggregates } from '../../../apps/server/src/storage/repositories/aggregates-repository.ts'
import { getCostSummary } from '../../../apps/server/src/storage/repositories/analytics-repository.ts'
import { listDailyCosts } from '../../../apps/server/src/storage/repositories/daily-costs-repository.ts'
import { BenchOptionError } from '../bench-option-error.ts'
import { DEFAULT_POSTGRES_URL } from '../default-postgres-url.ts'
import { openBenchDatabase } from '../ingest/open-bench-database.ts'
import { percentile } from '../percentile.ts'
import { wholeNumberOption } from '../whole-number-option.ts'
import { runBackfillProcess } from './run-backfill-process.ts'
import { seedRawCalls } from './seed-raw-calls.ts'

const QUERY_REPEATS = 5

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits
const log = (text: string) => process.stderr.write(`${text}\n`)

/** Median wall time of `work` over a few runs (the first run warms the cache like every later one). */
async function medianMs<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  let value = await work()
  const samples: number[] = []
  for (let run = 0; run < QUERY_REPEATS; run++) {
    const startedMs = performance.now()
    value = await work()
    samples.push(performance.now() - startedMs)
  }
  return { ms: round(percentile(samples, 50), 2), value }
}

/** Totals over [fromDay, toDay] read three ways: verified daily aggregates, hourly rollups, raw rows. */
async function compareTotals(
  db: Database,
  input: { projectId: string; fromDay: string; toDay: string; nowUtc: string },
) {
  const fromUtc = `${input.fromDay}T00:00:00.000Z`
  const toUtc = `${addUtcDays(input.toDay, 1)}T00:00:00.000Z`
  const aggregates = await medianMs(() => sumDailyAggregates(db, input))
  const rollups = await medianMs(() =>
    listDailyCosts(db, {
      projectId: input.projectId,
      fromDay: input.fromDay,
      toDay: input.toDay,
      timeZone: 'UTC',
      nowUtc: input.nowUtc,
    }),
  )
  const raw = await medianMs(() => getCostSummary(db, { projectId: input.projectId, fromUtc, toUtc }))
  return {
    fromDay: input.fromDay,
    toDay: input.toDay,
    costUsd: raw.value.totals.costUsd,
    requests: raw.value.totals.requests,
    aggregatesMs: aggregates.ms,
    rollupsMs: rollups.ms,
    rawMs: raw.ms,
    rawOverAggregates: round(raw.ms / Math.max(aggregates.ms, 0.01), 1),
    aggregatesEqualRaw:
      aggregates.value.costUsd === raw.value.totals.costUsd &&
      aggregates.value.requests === raw.value.totals.requests,
  }
}

/**
 * The rollup and aggregation benchmark on PostgreSQL: seeds `--events` calls (default 10,000,000) over
 * `--days` days (default 365) ending yesterday, then measures (1) a rollup refresh of everything, per million
 * events; (2) `backfill` of every day in its own process (wall time, peak RSS; `--delay-ms` between batches,
 * default 1,000 as in production); (3) a daily and a whole-range total read from aggregates, rollups and raw
 * rows. Returns the report.
 */
export async function runRollupsBench(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      'postgres-url': { type: 'string', default: DEFAULT_POSTGRES_URL },
      events: { type: 'string' },
      days: { type: 'string' },
      'delay-ms': { type: 'string' },
      'batch-days': { type: 'string' },
    },
  })
  const eventCount = wholeNumberOption(values.events, 10_000_000, 'events')
  const days = wholeNumberOption(values.days, 365, 'days')
  const delayMs = values['delay-ms'] === undefined ? 1_000 : Number(values['delay-ms'])
  if (!Number.isSafeInteger(delayMs) || delayMs < 0)
    throw new BenchOptionError(
      `--delay-ms takes a whole number of milliseconds, 0 or more; got "${values['delay-ms']}"`,
    )
  const batchDays = wholeNumberOption(values['batch-days'], 7, 'batch-days')
  const today = utcDayOf(Date.now())
  const firstDay = addUtcDays(today, -days)
  const lastDay = addUtcDays(today, -1)

  const bench = await openBenchDatabase({
    dialect: 'postgres',
    postgresUrl: values['postgres-url'],
    jobs: false,
  })
  const db = await bench.open({ poolSize: 4, applicationName: 'acp-bench-rollups' })
  try {
    log(`Seeding ${eventCount} calls over ${days} days…`)
    const seed = await seedRawCalls({
      db,
      projectId: bench.rawProjectId,
      eventCount,
      days,
      toUtc: `${today}T00:00:00.000Z`,
      rowsPerStatement: 250_000,
      onProgress: (done) => log(`  seeded ${done}/${eventCount}`),
    })

    log('Refreshing every rollup…')
    const logger = createLogger({ level: 'warn', write: log })
    const refresh = await refreshRollups({ db, logger, metrics: new JobMetrics() })

    log(`Backfilling ${days} days in a separate process…`)
    const backfill = await runBackfillProcess({
      env: bench.serverEnv,
      args: [
        '--from',
        firstDay,
        '--to',
        lastDay,
        '--delay-ms',
        String(delayMs),
        '--batch-days',
        String(batchDays),
      ],
    })
    if (backfill.exitCode !== 0) throw new Error(`backfill failed: ${JSON.stringify(backfill.report)}`)
    const pauses = Math.max(0, Math.ceil(days / batchDays) - 1)

    log('Reading totals…')
    const nowUtc = new Date().toISOString()
    const middle = addUtcDays(firstDay, Math.floor(days / 2))
    const oneDay = await compareTotals(db, {
      projectId: bench.rawProjectId,
      fromDay: middle,
      toDay: middle,
      nowUtc,
    })
    const wholeRange = await compareTotals(db, {
      projectId: bench.rawProjectId,
      fromDay: firstDay,
      toDay: lastDay,
      nowUtc,
    })
    const { rows } = await db.query<{ server_version: string }>('SHOW server_version')

    return {
      benchmark: 'rollups',
      database: 'postgres',
      postgresVersion: rows[0]?.server_version,
      events: eventCount,
      days,
      seedMs: Math.round(seed.durationMs),
      rollupRefresh: {
        hoursRefreshed: refresh.hoursRefreshed,
        rollupRows: refresh.rollupRowsWritten,
        durationMs: Math.round(refresh.durationMs),
        msPerMillionEvents: Math.round(refresh.durationMs / (eventCount / 1_000_000)),
      },
      backfill: {
        days: backfill.report.days,
        projectDaysStored: backfill.report.stored,
        wallMs: Math.round(backfill.wallMs),
        delayMs,
        batchDays,
        pausedMs: pauses * delayMs,
        peakRssMiB: round(backfill.report.peakRssBytes / 1_048_576),
        underTenMinutes: backfill.wallMs < 600_000,
        under300MiB: backfill.report.peakRssBytes < 300 * 1_048_576,
      },
      oneDayTotal: oneDay,
      wholeRangeTotal: wholeRange,
    }
  } finally {
    await db.close()
    await bench.dispose()
  }
}

/** `npm run bench -- rollups [--events N] [--days D] [--delay-ms MS] [--batch-days N] [--postgres-url URL]`: prints the report as JSON. */
export async function rollupsBench(args: string[]): Promise<number> {
  console.log(JSON.stringify(await runRollupsBench(args), null, 2))
  return 0
}
