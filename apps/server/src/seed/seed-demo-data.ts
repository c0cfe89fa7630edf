import { buildCallRow } from '../ingest/build-call-row.ts'
import { priceEvent } from '../ingest/price-event.ts'
import { createPriceOverridesCache } from '../ingest/price-overrides-cache.ts'
import { writeCallBatch } from '../ingest/write-call-batch.ts'
import type { Database } from '../storage/database.ts'
import type { LlmCallRow } from '../storage/repositories/llm-call-columns.ts'
import { ensureProject } from '../storage/repositories/projects-repository.ts'
import { findProjectRetention } from '../storage/repositories/retention-repository.ts'
import { generateDemoEvents } from './generate-demo-events.ts'

/** Options for `seedDemoData`. */
export interface SeedDemoDataOptions {
  /** A migrated database. */
  db: Database
  /** Created when missing. */
  projectName: string
  eventCount: number
  days: number
  seedValue: number
  /** End of the seeded window. Default now. */
  nowMs?: number
  /** Rows per write (a few more, to end on a conversation). Default 5,000, the server's largest commit group. */
  rowsPerStatement?: number
  /** Called after each committed chunk with the number of events done so far. */
  onProgress?: (doneEvents: number) => void
}

/** What a seed run stored. */
export interface SeedDemoDataResult {
  projectId: string
  /** Rows newly stored. */
  inserted: number
  /** Events whose idempotency key the project already had (an earlier run with the same seed value). */
  duplicates: number
  /**
   * Events stamped before the project's retention cut, left out as ingest refuses them
   * (`TIMESTAMP_TOO_OLD`): stored, they would reach no sum and the next rollup refresh would delete them.
   */
  beforeRetentionCut: number
  /** That cut (ISO 8601), when retention has moved it. */
  retentionCutUtc: string | null
  durationMs: number
}

/**
 * Generates demo events and stores them exactly as ingest does: priced with `computeCost` and the
 * project's price overrides (read once, by the loader ingest reads them with), turned
 * into rows with `buildCallRow`, written with `writeCallBatch` (conversations and observability
 * events included; messages are a view of the calls) in chunks. On PostgreSQL two chunks are written at once while the
 * next one is generated; PGlite is one connection, so one at a time.
 * @example
 * await seedDemoData({ db, projectName: 'demo', eventCount: 10_000, days: 30, seedValue: 42 })
 */
export async function seedDemoData(options: SeedDemoDataOptions): Promise<SeedDemoDataResult> {
  const startedAtMs = performance.now()
  const rowsPerStatement = options.rowsPerStatement ?? 5_000
  const maxConcurrentWrites = options.db.dialect === 'postgres' ? 2 : 1
  const { project } = await ensureProject(options.db, options.projectName)
  const retentionCutUtc = (await findProjectRetention(options.db, project.id))?.rawDeletedBefore ?? null
  const retentionCutMs = retentionCutUtc === null ? Number.NEGATIVE_INFINITY : Date.parse(retentionCutUtc)
  // Without them a project with its own prices would get catalogue costs until a `recompute`.
  const overrides = await createPriceOverridesCache({ db: options.db }).get(project.id)
  let inserted = 0
  let done = 0
  let beforeRetentionCut = 0
  const inFlight = new Set<Promise<void>>()
  let failure: unknown

  const write = (rows: LlmCallRow[]) => {
    const pending: Promise<void> = writeCallBatch(options.db, rows)
      .then((stored) => {
        for (const flag of stored) if (flag) inserted++
        done += rows.length
        options.onProgress?.(done + beforeRetentionCut)
      })
      .catch((error: unknown) => {
        failure ??= error
      })
      .finally(() => inFlight.delete(pending))
    inFlight.add(pending)
  }

  let chunk: LlmCallRow[] = []
  for (const event of generateDemoEvents({
    eventCount: options.eventCount,
    days: options.days,
    nowMs: options.nowMs ?? Date.now(),
    seedValue: options.seedValue,
  })) {
    if (Date.parse(event.timestamp) < retentionCutMs) {
      beforeRetentionCut++
      continue
    }
    const cost = priceEvent(event, overrides)
    const row = buildCallRow({ projectId: project.id, event, idempotencyKey: event.idempotencyKey, cost })
    // A chunk ends between conversations: two chunks in flight that share a conversation would both
    // upsert its row, and the second would wait for the first to commit.
    const endsConversation =
      row.conversationId === null || row.conversationId !== chunk.at(-1)?.conversationId
    if (chunk.length >= rowsPerStatement && endsConversation) {
      write(chunk)
      chunk = []
      while (inFlight.size >= maxConcurrentWrites) await Promise.race(inFlight)
      if (failure) break
    }
    chunk.push(row)
  }
  if (chunk.length > 0 && !failure) write(chunk)
  await Promise.all(inFlight)
  if (failure) throw failure
  if (beforeRetentionCut > 0) options.onProgress?.(done + beforeRetentionCut)
  return {
    projectId: project.id,
    inserted,
    duplicates: done - inserted,
    beforeRetentionCut,
    retentionCutUtc,
    durationMs: performance.now() - startedAtMs,
  }
}
