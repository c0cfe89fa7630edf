import * as traceloop from '@traceloop/node-server-sdk'
import OpenAI from 'openai'
import { type BenchSubject, clientOptions, type StartBenchSubject } from './bench-subject.ts'
import { CountingSpanExporter } from './counting-span-exporter.ts'
import { installedVersion } from './installed-version.ts'

/**
 * OpenLLMetry: `initialize` with the `openai` module handed over (`instrumentModules`), as its automatic
 * instrumentation hooks only `require` and the benchmark imports `openai` as an ES module. Batched
 * export; content tracing and token enrichment at their defaults. Spans go to an in-process exporter
 * and prompt sync is off, so nothing leaves the machine.
 */
export const startOpenLlmetrySubject: StartBenchSubject = async ({ baseUrl }): Promise<BenchSubject> => {
  // OpenLLMetry patches `Completions.prototype.create`, so every client of the module is traced. The bare
  // baseline keeps the method as it was before `initialize`, and runs exactly the untraced code.
  const untracedCreate = OpenAI.Chat.Completions.prototype.create
  const exporter = new CountingSpanExporter()
  // OpenLLMetry's typings are CommonJS and name the CommonJS declarations of `openai`; the class is the same.
  const openAiModule = OpenAI as unknown as NonNullable<
    traceloop.InitializeOptions['instrumentModules']
  >['openAI']
  traceloop.initialize({
    appName: 'sdk-bench',
    exporter,
    disableBatch: false,
    instrumentModules: { openAI: openAiModule },
    traceloopSyncEnabled: false,
    silenceInitializationMessage: true,
  })
  if (OpenAI.Chat.Completions.prototype.create === untracedCreate)
    throw new Error('OpenLLMetry did not instrument the openai module')
  const bare = new OpenAI(clientOptions(baseUrl))
  bare.chat.completions.create = untracedCreate
  return {
    package: installedVersion('@traceloop/node-server-sdk'),
    setup:
      'traceloop.initialize({ exporter: <in-process counting exporter>, disableBatch: false, instrumentModules: { openAI: OpenAI }, traceloopSyncEnabled: false }); traceContent and token enrichment (tiktoken) at their defaults (on)',
    bare,
    instrumented: new OpenAI(clientOptions(baseUrl)),
    flush: () => traceloop.forceFlush(),
    delivered: () => exporter.exportedSpans,
    async finish() {
      await traceloop.forceFlush()
      return { unit: 'spans', count: exporter.exportedSpans, spanNames: [...exporter.spanNames] }
    },
  }
}
