import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { openPostgresDatabase } from '../../../apps/server/src/storage/postgres-database.ts'
import { BenchOptionError } from '../bench-option-error.ts'
import { DEFAULT_POSTGRES_URL } from '../default-postgres-url.ts'
import { percentile } from '../percentile.ts'

const CLI = fileURLToPath(new URL('../../../apps/server/bin/ai-cost-profiler.js', import.meta.url))

/** Runs the real CLI once and returns its wall time, start-up and migrations included. */
async function timeSeedCli(input: { databaseUrl: string; eventCount: number }): Promise<number> {
  const startedAtMs = performance.now()
  const args = [
    CLI,
    'seed',
    '--events',
    String(input.eventCount),
    '--days',
    '30',
    '--seed-value',
    '1',
    '--quiet',
  ]
  const child = spawn(process.execPath, args, {
    env: { DATABASE_URL: input.databaseUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) throw new Error(`seed --events ${input.eventCount} exited with code ${code}`)
  return performance.now() - startedAtMs
}

/**
 * `npm run bench -- seed [--sizes 1000,1000000] [--runs 3]`: wall time of
 * `ai-cost-profiler seed --events N` on PostgreSQL, each run into a fresh schema. Prints JSON.
 */
export async function seedBench(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'postgres-url': { type: 'string', default: DEFAULT_POSTGRES_URL },
      sizes: { type: 'string', default: '1000,1000000' },
      runs: { type: 'string', default: '3' },
    },
  })
  const sizes = values.sizes.split(',').map((text) => Number(text.trim()))
  const runs = Number(values.runs)
  if (
    sizes.some((size) => !Number.isSafeInteger(size) || size < 1) ||
    !Number.isSafeInteger(runs) ||
    runs < 1
  ) {
    throw new BenchOptionError(
      '--sizes takes comma-separated positive whole numbers and --runs a positive whole number',
    )
  }
  const admin = await openPostgresDatabase({ connectionString: values['postgres-url'], poolSize: 1 })
  const results = []
  try {
    for (const eventCount of sizes) {
      const wallTimesMs: number[] = []
      // Other work on the machine skews wall times; the 1-minute load average before each run says how much.
      const loadAveragesBefore: number[] = []
      for (let run = 0; run < runs; run++) {
        const schema = `bench_seed_${randomBytes(6).toString('hex')}`
        await admin.query(`CREATE SCHEMA ${schema}`)
        try {
          const url = new URL(values['postgres-url'])
          url.searchParams.set('options', `-c search_path=${schema},public`)
          loadAveragesBefore.push(Number((os.loadavg()[0] ?? 0).toFixed(2)))
          const wallTimeMs = await timeSeedCli({ databaseUrl: url.toString(), eventCount })
          const { rows } = await admin.query<{ count: number }>(
            `SELECT count(*)::int AS count FROM ${schema}.llm_calls`,
          )
          if (rows[0]?.count !== eventCount)
            throw new Error(`seed stored ${rows[0]?.count} rows, not ${eventCount}`)
          wallTimesMs.push(wallTimeMs)
          process.stderr.write(
            `seed --events ${eventCount} run ${run + 1}/${runs}: ${(wallTimeMs / 1_000).toFixed(2)} s\n`,
          )
        } finally {
          await admin.query(`DROP SCHEMA ${schema} CASCADE`)
        }
      }
      const medianMs = percentile(wallTimesMs, 50)
      results.push({
        events: eventCount,
        medianWallTimeSeconds: Number((medianMs / 1_000).toFixed(2)),
        medianEventsPerSecond: Math.round((eventCount / medianMs) * 1_000),
        wallTimesSeconds: wallTimesMs.map((ms) => Number((ms / 1_000).toFixed(2))),
        loadAveragesBefore,
      })
    }
    const { rows } = await admin.query<{ server_version: string }>('SHOW server_version')
    console.log(
      JSON.stringify(
        {
          benchmark: 'seed',
          database: 'postgres',
          postgresVersion: rows[0]?.server_version,
          machine: {
            cpus: os.cpus().length,
            memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
            node: process.version,
          },
          runs,
          results,
        },
        null,
        2,
      ),
    )
  } finally {
    await admin.close()
  }
  return 0
}
