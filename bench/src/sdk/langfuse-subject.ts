import { observeOpenAI } from '@langfuse/openai'
import { LangfuseSpanProcessor } from '@langfuse/otel'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import OpenAI from 'openai'
import { type BenchSubject, clientOptions, type StartBenchSubject } from './bench-subject.ts'
import { CountingSpanExporter } from './counting-span-exporter.ts'
import { installedVersion } from './installed-version.ts'

/**
 * Langfuse as its docs set it up: a `LangfuseSpanProcessor` (batched export, media scan on) on a
 * registered OpenTelemetry tracer provider, and `observeOpenAI(client)`. The processor hands its spans
 * to an in-process exporter instead of Langfuse's OTLP endpoint, so it needs no server or keys.
 */
export const startLangfuseSubject: StartBenchSubject = async ({ baseUrl }): Promise<BenchSubject> => {
  const exporter = new CountingSpanExporter()
  const provider = new NodeTracerProvider({ spanProcessors: [new LangfuseSpanProcessor({ exporter })] })
  provider.register()
  return {
    package: installedVersion('@langfuse/openai'),
    setup:
      'new NodeTracerProvider({ spanProcessors: [new LangfuseSpanProcessor({ exporter: <in-process counting exporter> })] }).register(); observeOpenAI(new OpenAI(...))',
    bare: new OpenAI(clientOptions(baseUrl)),
    instrumented: observeOpenAI(new OpenAI(clientOptions(baseUrl))),
    flush: () => provider.forceFlush(),
    delivered: () => exporter.exportedSpans,
    async finish() {
      await provider.forceFlush()
      await provider.shutdown()
      return { unit: 'spans', count: exporter.exportedSpans, spanNames: [...exporter.spanNames] }
    },
  }
}
