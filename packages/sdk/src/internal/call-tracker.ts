import { performance } from 'node:perf_hooks'
import {
  type CallError,
  type CallStatus,
  type LlmCallEventInput,
  MAX_ID_LENGTH,
  type ServiceTier,
  type UsageBuckets,
} from '@ai-cost-profiler/core'
import type { CallContext } from '../call-context.ts'
import type { AttemptScope } from './attempt-scope.ts'
import { classifyError } from './classify-error.ts'
import { formatUtcTimestamp } from './format-utc-timestamp.ts'
import { CONTEXT_STRING_FIELDS } from './merge-call-context.ts'
import { storableText } from './storable-text.ts'
import { DeferredEvent } from './transport/deferred-event.ts'

/**
 * Usage normalised when the event is built rather than when the call ends: a copy of the provider's
 * payload, taken when the call ends (the caller may change the response it got), and its normaliser.
 */
export class DeferredUsage<Payload extends object = object> {
  constructor(
    private readonly payload: Payload,
    private readonly normalize: (payload: Payload) => UsageBuckets,
  ) {}

  /**
   * Copies a JSON usage payload two levels deep (the wholes and their `*_details` objects), so later
   * changes to the response cannot reach the event. A spread alone is fast; `__proto__` is left as copied.
   */
  static copy<Payload extends object>(payload: Payload): Payload {
    const copy = { ...payload } as Record<string, unknown>
    for (const key in copy) {
      const value = copy[key]
      if (typeof value === 'object' && value !== null && !Array.isArray(value) && key !== '__proto__') {
        copy[key] = { ...value }
      }
    }
    return copy as Payload
  }

  resolve(): UsageBuckets {
    return this.normalize(this.payload)
  }
}

/** Where each tracker says that its call started, and that it ended: finished (recorded) or abandoned. */
export interface CallLedger {
  started(call: CallTracker): void
  /** Takes the finished call; its event is built by `toEvent()`, at once or when it is sent. */
  finished(call: CallTracker): void
  /** Told once a started call ended, just before `finished` when it is recorded. */
  ended(call: CallTracker): void
}

/** What is known about a call when it ends. Missing usage is recorded as zero tokens. */
export interface CallOutcome {
  status: CallStatus
  model?: string | undefined
  usage?: UsageBuckets | DeferredUsage | undefined
  /** The usage was estimated here because the response carried no token counts. */
  usageEstimated?: boolean | undefined
  serviceTier?: ServiceTier | undefined
  error?: unknown
  /** An already classified error (e.g. a failed response inside a 200). */
  callError?: CallError | undefined
  /** When the call ended (`performance.now()`), if before it is finished. */
  endedAt?: number | undefined
}

const ZERO_USAGE: UsageBuckets = { inputTokens: 0, outputTokens: 0 }

function roundMs(durationMs: number): number {
  return Math.max(0, Math.round(durationMs * 1000) / 1000)
}

function identifier(value: string | undefined): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined
  return storableText(value, MAX_ID_LENGTH)
}

/**
 * One provider call from start to its single event. Whatever ends the call first (response, error,
 * end or cancel of a stream) records it; later endings are ignored, so helpers and stream copies can
 * never count a call twice.
 *
 * Ending a call only captures what its event needs (the values that could change later: the time,
 * the usage, the attempts, the classified error). The event itself, with its timestamp and context
 * fields, is built by `toEvent()`; the profiler's transport does that when it first sends the call,
 * off the caller's path.
 */
export class CallTracker extends DeferredEvent {
  private startedAtMs = Date.now()
  private startedAt = performance.now()
  private firstTokenAt: number | undefined = undefined
  private respondedAt: number | undefined = undefined
  /** Between the response's arrival and the first read of its body: the caller had not awaited yet. */
  private unreadMs: number | undefined = undefined
  private finished = false
  // Captured when the call ends.
  private latencyMs = 0
  private status: CallStatus = 'success'
  private model: string | undefined = undefined
  private usage: UsageBuckets | DeferredUsage = ZERO_USAGE
  private usageEstimated = false
  private retryCount = 0
  private endServiceTier: ServiceTier | undefined = undefined
  private error: CallError | undefined = undefined
  // Copied when the call ends, as the event would have been: the caller may reuse and change them.
  private tags: string[] | undefined = undefined
  private metadata: Record<string, unknown> | undefined = undefined
  /** Set when the call's metadata is too large to send (see `create-profiler`). */
  withoutMetadata = false
  /** The call's number among those started, given by the ledger (see `OpenCalls`). */
  sequence = 0

  constructor(
    readonly provider: string,
    private readonly requestedModel: string | undefined,
    readonly streaming: boolean,
    private readonly serviceTier: ServiceTier | undefined,
    readonly context: CallContext,
    private readonly attemptScope: AttemptScope | undefined,
    private readonly calls: CallLedger,
  ) {
    super()
    calls.started(this)
  }

  /**
   * A tracker for another model request the same call made (a round of a client's own tool loop), with
   * this call's context, started at `startedAt` (`performance.now()`); its event is recorded like this one's.
   */
  startRelated(startedAt: number, firstTokenAt?: number): CallTracker {
    const related = new CallTracker(
      this.provider,
      this.requestedModel,
      this.streaming,
      this.serviceTier,
      this.context,
      undefined,
      this.calls,
    )
    related.startedAtMs = Math.round(Date.now() - (performance.now() - startedAt))
    related.startedAt = startedAt
    related.firstTokenAt = firstTokenAt
    return related
  }

  /**
   * The call's next model request (a round of a client's own tool loop) went out at `startedAt`: the
   * rounds before are recorded as related calls, so this call's event covers the last round only and
   * starts over from there. Returns when the round before gave its first output, for its own event.
   */
  startNextRound(startedAt: number): number | undefined {
    if (this.finished) return undefined
    const firstTokenAt = this.firstTokenAt
    this.startedAtMs = Math.round(Date.now() - (performance.now() - startedAt))
    this.startedAt = startedAt
    this.firstTokenAt = undefined
    return firstTokenAt
  }

  /** True once the call's event was recorded. */
  get isFinished(): boolean {
    return this.finished
  }

  /** Marks the arrival of the first generated output of a stream (kept only the first time). */
  markFirstToken(): void {
    // After the end the event is already decided, even when it is built later.
    if (this.firstTokenAt === undefined && !this.finished) this.firstTokenAt = performance.now()
  }

  /** Marks the arrival of the response (its status and headers). */
  markResponded(): void {
    if (this.respondedAt === undefined) this.respondedAt = performance.now()
  }

  /**
   * Marks the start of reading the response's body. Stainless SDKs read it only when the caller first
   * awaits the call, so a response left waiting before that is not counted in the latency.
   */
  markBodyRead(): void {
    if (this.respondedAt === undefined || this.unreadMs !== undefined || this.finished) return
    this.unreadMs = performance.now() - this.respondedAt
  }

  /** Records the call's event, once. */
  finish(outcome: CallOutcome): void {
    if (this.finished) return
    this.finished = true
    this.latencyMs = (outcome.endedAt ?? performance.now()) - this.startedAt - (this.unreadMs ?? 0)
    this.status = outcome.status
    this.model = outcome.model
    this.usage = outcome.usage ?? ZERO_USAGE
    this.usageEstimated = outcome.usageEstimated === true
    this.retryCount = Math.min(100, Math.max(0, (this.attemptScope?.attempts ?? 0) - 1))
    this.endServiceTier = outcome.serviceTier
    this.error = outcome.callError ?? (outcome.error === undefined ? undefined : classifyError(outcome.error))
    const { tags, metadata } = this.context
    if (tags && tags.length > 0) this.tags = [...tags]
    if (metadata) this.metadata = { ...metadata }
    // Ended first: a handler of a report made while the call is handed on (one that exits the process)
    // must not find it still under way and count it a second time.
    this.calls.ended(this)
    this.calls.finished(this)
  }

  /** Ends the call without an event, when it cannot be observed (the client returned something unknown). */
  abandon(): void {
    if (this.finished) return
    this.finished = true
    this.calls.ended(this)
  }

  /** Replaces the metadata copied when the call ended with a deep, JSON-safe copy of it. */
  freezeMetadata(metadata: Record<string, unknown>): void {
    this.metadata = metadata
  }

  /** The call's event (only meaningful once it finished). */
  toEvent(): LlmCallEventInput {
    const { context } = this
    const requestedModel = identifier(this.requestedModel)
    const event: LlmCallEventInput = {
      // The idempotency key is given by the transport when the event is first sent.
      timestamp: formatUtcTimestamp(this.startedAtMs),
      provider: this.provider,
      // The response's model is the dated snapshot that was billed; without a response, the request's.
      model: identifier(this.model) ?? requestedModel ?? 'unknown',
      usage: this.usage instanceof DeferredUsage ? this.usage.resolve() : this.usage,
      latencyMs: roundMs(this.latencyMs),
      status: this.status,
      retryCount: this.retryCount,
      streaming: this.streaming,
      serviceTier: this.endServiceTier ?? this.serviceTier ?? 'standard',
    }
    if (requestedModel !== undefined) event.requestedModel = requestedModel
    if (this.usageEstimated) event.usageEstimated = true
    if (this.firstTokenAt !== undefined)
      event.timeToFirstTokenMs = roundMs(this.firstTokenAt - this.startedAt - (this.unreadMs ?? 0))
    if (this.error) event.error = this.error
    for (const key of CONTEXT_STRING_FIELDS) {
      const value = identifier(context[key])
      if (value !== undefined) event[key] = value
    }
    if (this.tags) event.tags = this.tags
    if (this.metadata && !this.withoutMetadata) event.metadata = this.metadata
    return event
  }
}
