import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** A benchmark: reads its own arguments, prints one JSON document on stdout, returns the exit code. */
export type Benchmark = (args: string[]) => Promise<number>

// Lazy so one benchmark's dependencies never load for another. To add a benchmark, create the
// module and export the named function; the entry here is the only registration.
const BENCHMARKS: Readonly<Record<string, { module: string; exportName: string; description: string }>> = {
  ingest: {
    module: './ingest/ingest-bench.ts',
    exportName: 'ingestBench',
    description: 'HTTP ingest events/s vs the raw INSERT ceiling',
  },
  seed: {
    module: './seed/seed-bench.ts',
    exportName: 'seedBench',
    description: 'wall time of `seed --events N` on PostgreSQL',
  },
  sdk: {
    module: './sdk/sdk-bench.ts',
    exportName: 'sdkBench',
    description: 'overhead the SDK adds to a provider call',
  },
  rollups: {
    module: './rollups/rollups-bench.ts',
    exportName: 'rollupsBench',
    description: 'rollup job and analytics query times',
  },
}

function usage(): string {
  const lines = Object.entries(BENCHMARKS).map(([name, entry]) => `  ${name.padEnd(10)}${entry.description}`)
  return `Usage: npm run bench -- <benchmark> [options]\n\nBenchmarks:\n${lines.join('\n')}`
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
  return (benchmark as Benchmark)(args)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runBench(process.argv.slice(2))
}
