import { readFileSync } from 'node:fs'
import OpenAI from 'openai'
// The workspace exports of the SDK point at its build; the benchmark measures the sources as they are.
import { createProfiler } from '../../../packages/sdk/src/index.ts'
import { type BenchSubject, clientOptions, type StartBenchSubject } from './bench-subject.ts'

const SDK_MANIFEST = new URL('../../../packages/sdk/package.json', import.meta.url)

/** Our SDK: `createProfiler(...).wrap(client)`, sending its events to a local fake ingest server. */
export const startProfilerSubject: StartBenchSubject = async ({
  baseUrl,
  ingestUrl,
}): Promise<BenchSubject> => {
  const { name, version } = JSON.parse(readFileSync(SDK_MANIFEST, 'utf8')) as {
    name: string
    version: string
  }
  const profiler = createProfiler({ endpoint: ingestUrl, apiKey: 'bench', flushOnExit: false })
  return {
    package: `${name}@${version} (workspace sources)`,
    setup:
      "createProfiler({ endpoint: <fake ingest on 127.0.0.1, in the parent process>, flushOnExit: false }).wrap(new OpenAI(...), { feature: 'bench' }); default batching",
    bare: new OpenAI(clientOptions(baseUrl)),
    instrumented: profiler.wrap(new OpenAI(clientOptions(baseUrl)), { feature: 'bench' }),
    flush: () => profiler.flush(),
    delivered: () => profiler.stats().sent,
    async finish() {
      await profiler.shutdown()
      const stats = profiler.stats()
      return { unit: 'events', count: stats.sent, dropped: stats.dropped }
    },
  }
}
