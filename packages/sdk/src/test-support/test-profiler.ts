import { type LlmCallEvent, type LlmCallEventInput, llmCallEventSchema } from '@ai-cost-profiler/core'
import { createProfiler, type Profiler } from '../create-profiler.ts'
import type { ProfilerError } from '../profiler-error.ts'
import type { ProfilerOptions } from '../profiler-options.ts'
import { type FakeHttpServer, sendJson, startFakeHttpServer } from './fake-http-server.ts'

/** A profiler that delivers to a fake ingest server, with helpers to read what it sent. */
export interface TestProfiler {
  profiler: Profiler
  ingest: FakeHttpServer
  errors: ProfilerError[]
  /** Flushes, then returns every event the ingest server received, each checked against the schema. */
  events(): Promise<LlmCallEvent[]>
  close(): Promise<void>
}

/** Starts a fake ingest server that accepts everything and a profiler pointed at it. */
export async function startTestProfiler(options: ProfilerOptions = {}): Promise<TestProfiler> {
  const ingest = await startFakeHttpServer()
  ingest.setDefault((request, response) => {
    const { events } = request.json() as { events: unknown[] }
    sendJson(response, 200, { accepted: events.length, duplicates: 0, errors: [] })
  })
  const errors: ProfilerError[] = []
  const profiler = createProfiler({
    endpoint: ingest.url,
    apiKey: 'acp_test_key',
    flushIntervalMs: 5,
    flushOnExit: false,
    onError: (error) => errors.push(error),
    ...options,
  })
  return {
    profiler,
    ingest,
    errors,
    async events() {
      // Failures are recorded from the response promise, a tick after the caller sees them.
      await new Promise((resolve) => setImmediate(resolve))
      await profiler.flush()
      return ingest.requests.flatMap((request) =>
        (request.json() as { events: LlmCallEventInput[] }).events.map((event) =>
          llmCallEventSchema.parse(event),
        ),
      )
    },
    async close() {
      await profiler.shutdown()
      await ingest.close()
    },
  }
}
