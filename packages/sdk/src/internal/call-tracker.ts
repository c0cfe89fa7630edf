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

/** What is known about a call when it starts. */
export interface CallStart {
  provider: string
  requestedModel: string | undefined
  streaming: boolean
  serviceTier: ServiceTier | undefined
  context: CallContext
  /** Filled by the client's counting fetch; absent when the call's HTTP attempts cannot be counted. */
  attemptScope: AttemptScope | undefined
}

/** What is known about a call when it ends. Missing usage is recorded as zero tokens. */
export interface CallOutcome {
  status: CallStatus
  model?: string | undefined
  usage?: UsageBuckets | undefined
  serviceTier?: ServiceTier | undefined
  error?: unknown
  /** An already classified error (e.g. a failed response inside a 200). */
  callError?: CallError | undefined
}

const ZERO_USAGE: UsageBuckets = { inputTokens: 0, outputTokens: 0 }

function roundMs(durationMs: number): number {
  return Math.max(0, Math.round(durationMs * 1000) / 1000)
}

function identifier(value: string | undefined): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined
  return value.slice(0, MAX_ID_LENGTH)
}

/**
 * One provider call from start to its single event. Whatever ends the call first (response, error,
 * end or cancel of a stream) records it; later endings are ignored, so helpers and stream copies can
 * never count a call twice.
 */
export class CallTracker {
  private readonly startedAtMs = Date.now()
  private readonly startedAt = performance.now()
  private firstTokenAt: number | undefined
  private finished = false

  constructor(
    private readonly start: CallStart,
    private readonly record: (event: LlmCallEventInput) => void,
  ) {}

  /** True once the call's event was recorded. */
  get isFinished(): boolean {
    return this.finished
  }

  /** Marks the arrival of the first generated output of a stream (kept only the first time). */
  markFirstToken(): void {
    this.firstTokenAt ??= performance.now()
  }

  /** Records the call's event, once. */
  finish(outcome: CallOutcome): void {
    if (this.finished) return
    this.finished = true
    const { context } = this.start
    const requestedModel = identifier(this.start.requestedModel)
    const event: LlmCallEventInput = {
      // The idempotency key is given by the transport when the event is first sent.
      timestamp: formatUtcTimestamp(this.startedAtMs),
      provider: this.start.provider,
      // The response's model is the dated snapshot that was billed; without a response, the request's.
      model: identifier(outcome.model) ?? requestedModel ?? 'unknown',
      usage: outcome.usage ?? ZERO_USAGE,
      latencyMs: roundMs(performance.now() - this.startedAt),
      status: outcome.status,
      retryCount: Math.min(100, Math.max(0, (this.start.attemptScope?.attempts ?? 0) - 1)),
      streaming: this.start.streaming,
      serviceTier: outcome.serviceTier ?? this.start.serviceTier ?? 'standard',
    }
    if (requestedModel !== undefined) event.requestedModel = requestedModel
    if (this.firstTokenAt !== undefined)
      event.timeToFirstTokenMs = roundMs(this.firstTokenAt - this.startedAt)
    const error =
      outcome.callError ?? (outcome.error === undefined ? undefined : classifyError(outcome.error))
    if (error) event.error = error
    for (const key of CONTEXT_STRING_FIELDS) {
      const value = identifier(context[key])
      if (value !== undefined) event[key] = value
    }
    if (context.tags && context.tags.length > 0) event.tags = [...context.tags]
    if (context.metadata) event.metadata = { ...context.metadata }
    this.record(event)
  }
}
