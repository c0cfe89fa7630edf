import { type CostResult, type EventError, validateEventBatch } from '@ai-cost-profiler/core'
import { CircuitBreaker } from '../resilience/circuit-breaker.ts'
import { guardedByBreaker } from '../resilience/guarded-by-breaker.ts'
import { isTransientDatabaseError } from '../resilience/is-transient-database-error.ts'
import { retryTransient } from '../resilience/retry-transient.ts'
import type { Database } from '../storage/database.ts'
import type { LlmCallRow } from '../storage/repositories/llm-call-columns.ts'
import { buildCallRow } from './build-call-row.ts'
import { fitsStoredCost, MAX_STORED_COST_USD } from './fits-stored-cost.ts'
import { GroupCommitter } from './group-committer.ts'
import { priceEvent } from './price-event.ts'
import { createPriceOverridesCache, type PriceOverridesCache } from './price-overrides-cache.ts'
import { createRetentionCutoffCache, type RetentionCutoffCache } from './retention-cutoff-cache.ts'
import { writeCallBatch } from './write-call-batch.ts'

/** Something accepted but worth knowing, e.g. a model with no price (stored as `unpriced`, never $0). */
export interface IngestWarning {
  index: number
  path: string
  code: 'UNPRICED_MODEL'
  message: string
}

/** What happened to a batch: accepted + duplicates + rejected events = events sent. */
export interface IngestOutcome {
  accepted: number
  duplicates: number
  errors: EventError[]
  warnings: IngestWarning[]
}

/** Options for `createIngestService`. */
export interface IngestServiceOptions {
  db: Database
  /** Group-commit window. */
  groupCommitMs: number
  maxFutureSkewMs: number
  /** The projects' price overrides; by default read from `db` and cached for 30 s. */
  priceOverrides?: PriceOverridesCache
  now?: () => number
}

/** What the caller knows about a batch's events. */
export interface IngestOptions {
  /** False when no string can hold NUL or an unpaired surrogate (see `jsonTextMayHoldUnstorableText`). */
  mayHoldUnstorableText?: boolean
}

/** Validates, prices and stores event batches through one group committer. */
export interface IngestService {
  ingest(projectId: string, events: readonly unknown[], options?: IngestOptions): Promise<IngestOutcome>
  /** Resolves once every queued batch is written. */
  drain(): Promise<void>
  /**
   * The database's circuit breaker, one per server process: ingest's writes and reads go through it,
   * and so do the API-key look-ups of ingest requests (see `createApp`).
   */
  readonly breaker: CircuitBreaker
  /** Invalidate a project here after editing its overrides. */
  readonly priceOverrides: PriceOverridesCache
  /** Invalidate a project here once retention moved its cut (see `shareRetentionCutMoves`). */
  readonly retentionCutoffs: RetentionCutoffCache
}

/** Builds the ingest path: validate → price → group commit (retried), all behind a circuit breaker. */
export function createIngestService(options: IngestServiceOptions): IngestService {
  const now = options.now ?? Date.now
  const breaker = new CircuitBreaker()
  // A reload that fails transiently counts toward the breaker; one it refuses serves the last value read.
  const guardedDb = guardedByBreaker(options.db, breaker)
  const priceOverrides = options.priceOverrides ?? createPriceOverridesCache({ db: guardedDb })
  const retentionCutoffs = createRetentionCutoffCache({ db: guardedDb })
  const committer = new GroupCommitter<LlmCallRow>({
    delayMs: options.groupCommitMs,
    // PGlite is one connection; PostgreSQL overlaps one group's commit with the next group's work.
    maxConcurrentWrites: options.db.dialect === 'postgres' ? 2 : 1,
    // A transient failure is the database's and is retried; any other is one request's bad row.
    isolateFailure: (error) => !isTransientDatabaseError(error),
    // A retry may follow a try that committed before its connection was lost: every row carries a key
    // (the client's or the server's, see `buildCallRow`), so none is stored twice.
    write: (rows) => retryTransient(() => writeCallBatch(options.db, rows)),
  })

  return {
    breaker,
    priceOverrides,
    retentionCutoffs,
    drain: () => committer.drain(),
    async ingest(projectId, events, ingestOptions) {
      // Needed only by events that pass validation: a batch with none is still answered (400) when the
      // overrides cannot be read, e.g. with the database down.
      const overrides = await priceOverrides.get(projectId).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      )
      // Each event's cost, found as the last check of its validation.
      const costs = new Map<number, CostResult>()
      const { valid, errors } = validateEventBatch(events, {
        nowMs: now(),
        maxFutureMs: options.maxFutureSkewMs,
        retentionCutoffMs: await retentionCutoffs.get(projectId),
        mayHoldUnstorableText: ingestOptions?.mayHoldUnstorableText,
        finalCheck: (event, index) => {
          if ('error' in overrides) throw overrides.error
          const cost = priceEvent(event, overrides.value)
          // Refused here, as an error of this event alone: in the database it would fail its whole batch.
          if (cost.costUsd !== null && !fitsStoredCost(cost.costUsd)) {
            return {
              path: 'usage',
              code: 'TOO_LARGE',
              message: `costs ${cost.costUsd} USD at the ${cost.priceSource} price ${cost.priceEntryId}, more than the ${MAX_STORED_COST_USD} USD one call is accepted with; check the token counts and that price`,
            }
          }
          costs.set(index, cost)
          return undefined
        },
      })
      // Per row: its warning, reported only if the row is stored (a duplicate stores nothing).
      const rowWarnings: Array<IngestWarning | undefined> = []
      const rows: LlmCallRow[] = []
      for (const { index, event, idempotencyKey } of valid) {
        const cost = costs.get(index) as CostResult
        rowWarnings.push(
          cost.costStatus === 'unpriced'
            ? {
                index,
                path: 'model',
                code: 'UNPRICED_MODEL',
                message: `no price is known for ${event.provider}/${event.model}; the call is stored as unpriced. Add a price override, or check the model id`,
              }
            : undefined,
        )
        rows.push(buildCallRow({ projectId, event, idempotencyKey, cost }))
      }
      // Each request counts for itself, so a wave of requests sharing one failed write opens the circuit
      // as surely as as many requests one after the other. A batch with no valid event needs no database.
      const stored =
        rows.length === 0 ? [] : await breaker.run(() => committer.submit(rows), isTransientDatabaseError)
      const accepted = stored.filter(Boolean).length
      const warnings = rowWarnings.filter(
        (warning, row): warning is IngestWarning => !!warning && stored[row] === true,
      )
      return { accepted, duplicates: stored.length - accepted, errors, warnings }
    },
  }
}
