import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base'

/**
 * A span exporter that stays in process: it counts the spans it receives and notes their names, then
 * lets them go, as a network exporter does once a batch is sent, so memory does not grow with the run.
 */
export class CountingSpanExporter extends InMemorySpanExporter {
  exportedSpans = 0
  readonly spanNames = new Set<string>()

  override export(
    spans: ReadableSpan[],
    resultCallback: Parameters<InMemorySpanExporter['export']>[1],
  ): void {
    this.exportedSpans += spans.length
    for (const span of spans) this.spanNames.add(span.name)
    super.export(spans, resultCallback)
    this.reset()
  }
}
