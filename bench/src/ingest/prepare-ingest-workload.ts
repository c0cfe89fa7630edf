import { type CostResult, computeCost, type LlmCallEvent } from '@ai-cost-profiler/core'
import { buildCallRow } from '../../../apps/server/src/ingest/build-call-row.ts'
import { generateDemoEvents } from '../../../apps/server/src/seed/generate-demo-events.ts'
import type { LlmCallRow } from '../../../apps/server/src/storage/repositories/llm-call-columns.ts'

/** Options for `prepareIngestWorkload`. */
export interface PrepareIngestWorkloadOptions {
  warmupEventCount: number
  eventCount: number
  eventsPerBody: number
  seedValue: number
}

/** The events of one benchmark, as HTTP bodies for the server and as rows for the raw ceiling. */
export interface IngestWorkload {
  /** Encoded once here, so the load generator's measured CPU is sending alone. */
  warmupBodies: Buffer[]
  bodies: Buffer[]
  /** The same events as stored rows of `projectId`, priced exactly as ingest prices them. */
  rowsFor(projectId: string, part: 'warmup' | 'measured'): LlmCallRow[]
}

function toBodies(events: readonly LlmCallEvent[], eventsPerBody: number): Buffer[] {
  const bodies: Buffer[] = []
  for (let offset = 0; offset < events.length; offset += eventsPerBody) {
    bodies.push(Buffer.from(JSON.stringify({ events: events.slice(offset, offset + eventsPerBody) })))
  }
  return bodies
}

/**
 * Builds the benchmark's events once, with the seed generator (realistic sizes, conversations,
 * errors and caching), so both sides of the comparison write the very same data.
 */
export function prepareIngestWorkload(options: PrepareIngestWorkloadOptions): IngestWorkload {
  const events = [
    ...generateDemoEvents({
      eventCount: options.warmupEventCount + options.eventCount,
      days: 30,
      nowMs: Date.now(),
      seedValue: options.seedValue,
    }),
  ]
  const warmup = events.slice(0, options.warmupEventCount)
  const measured = events.slice(options.warmupEventCount)
  const priced = new Map<LlmCallEvent, CostResult>()
  for (const event of events) {
    priced.set(
      event,
      computeCost({
        provider: event.provider,
        model: event.model,
        usage: event.usage,
        timestamp: event.timestamp,
        serviceTier: event.serviceTier,
      }),
    )
  }
  return {
    warmupBodies: toBodies(warmup, options.eventsPerBody),
    bodies: toBodies(measured, options.eventsPerBody),
    rowsFor: (projectId, part) =>
      (part === 'warmup' ? warmup : measured).map((event) =>
        buildCallRow({ projectId, event, idempotencyKey: event.idempotencyKey, cost: priced.get(event)! }),
      ),
  }
}
