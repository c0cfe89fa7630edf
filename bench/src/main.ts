import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { isBenchOptionError } from './bench-option-error.ts'
import { DEFAULT_POSTGRES_URL } from './default-postgres-url.ts'

/** A benchmark: reads its own arguments, prints one JSON document on stdout, returns the exit code. */
export type Benchmark = (args: string[]) => Promise<number>

// Lazy so one benchmark's dependencies never load for another. To add a benchmark, create the
// module and export the named function; the entry here is the only registration.
const BENCHMARKS: Readonly<
  Record<string, { module: string; exportName: string; description: string; options: readonly string[] }>
> = {
  ingest: {
    module: './ingest/ingest-bench.ts',
    exportName: 'ingestBench',
    description: 'HTTP ingest events/s vs the raw INSERT ceiling',
    options: [
      '--database postgres|pglite   where to write (postgres)',
      `--postgres-url URL           PostgreSQL to use (${DEFAULT_POSTGRES_URL})`,
      '--events N                   events per run (200000 on PostgreSQL, 30000 on PGlite)',
      '--warmup N                   events sent before timing (a tenth of --events, at least 1000)',
      '--runs N                     runs, the phase order alternating (4)',
      '--clients N                  concurrent HTTP clients (32)',
      '--batch N                    events per request (100)',
      '--raw-rows N                 rows per raw INSERT (clients × batch ÷ raw-concurrency)',
      '--raw-concurrency N          raw INSERTs at once (2 on PostgreSQL, 1 on PGlite)',
      "--cpu-prof-dir DIR           write the server's CPU profiles there",
      '--server-node-flags "FLAGS"  more Node.js flags for the server process',
      "--jobs                       run the server's scheduled jobs too",
    ],
  },
  seed: {
    module: './seed/seed-bench.ts',
    exportName: 'seedBench',
    description: 'wall time of `seed --events N` on PostgreSQL',
    options: [
      `--postgres-url URL  PostgreSQL to use (${DEFAULT_POSTGRES_URL})`,
      '--sizes N,N         event counts to seed (1000,1000000)',
      '--runs N            runs per size (3)',
    ],
  },
  sdk: {
    module: './sdk/sdk-bench.ts',
    exportName: 'sdkBench',
    description: 'overhead the SDK adds to a provider call',
    options: [
      '--calls N                 measured pairs of each kind (2000)',
      '--chunks N                content chunks per streamed call (100)',
      "--compression gzip|none   this SDK's request bodies (gzip)",
    ],
  },
  rollups: {
    module: './rollups/rollups-bench.ts',
    exportName: 'rollupsBench',
    description: 'rollup job and analytics query times',
    options: [
      `--postgres-url URL  PostgreSQL to use (${DEFAULT_POSTGRES_URL})`,
      '--events N          calls to seed (10000000)',
      '--days N            days they spread over, ending yesterday (365)',
      '--delay-ms N        pause between backfill batches (1000)',
      '--batch-days N      days per backfill batch (7)',
    ],
  },
}

function usage(): string {
  const lines = Object.entries(BENCHMARKS).map(([name, entry]) => `  ${name.padEnd(10)}${entry.description}`)
  return `Usage: npm run bench -- <benchmark> [options]\n\nBenchmarks:\n${lines.join('\n')}`
}

function benchmarkUsage(name: string): string {
  const entry = BENCHMARKS[name]!
  return `Usage: npm run bench -- ${name} [options]\n\n${entry.description[0]!.toUpperCase()}${entry.description.slice(1)}. Options (defaults in parentheses):\n${entry.options.map((line) => `  ${line}`).join('\n')}`
}

/** Runs the benchmark named by the first argument and returns the exit code. */
export async function runBench(argv: string[]): Promise<number> {
  const [name, ...args] = argv
  if (!name || name === 'help' || name === '--help') {
    console.log(usage())
    return name ? 0 : 2
  }
  const entry = BENCHMARKS[name]
  if (!entry) {
    console.error(`Unknown benchmark "${name}".\n\n${usage()}`)
    return 2
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(benchmarkUsage(name))
    return 0
  }
  const moduleUrl = new URL(entry.module, import.meta.url)
  if (!existsSync(fileURLToPath(moduleUrl))) {
    console.error(
      `Benchmark "${name}" is registered but bench/src/${entry.module.slice(2)} does not exist yet.`,
    )
    return 2
  }
  const loaded = (await import(moduleUrl.href)) as Record<string, unknown>
  const benchmark = loaded[entry.exportName]
  if (typeof benchmark !== 'function') {
    console.error(`bench/src/${entry.module.slice(2)} must export a function named ${entry.exportName}.`)
    return 2
  }
  try {
    return await (benchmark as Benchmark)(args)
  } catch (error) {
    if (!isBenchOptionError(error)) throw error
    console.error(`${error.message}\n\n${benchmarkUsage(name)}`)
    return 2
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runBench(process.argv.slice(2))
}
