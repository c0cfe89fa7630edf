import type { CostResult, LlmCallEvent } from '@ai-cost-profiler/core'
import type { LlmCallRow } from '../storage/repositories/llm-call-columns.ts'
import { newServerIdempotencyKey } from './server-idempotency-key.ts'

/**
 * Turns a validated, priced event into the row stored in `llm_calls`. A call without a key of its own
 * (explicit or derived) is given one by the server here, before any write is tried.
 */
export function buildCallRow(input: {
  projectId: string
  event: LlmCallEvent
  idempotencyKey: string | undefined
  cost: CostResult
}): LlmCallRow {
  const { event, cost } = input
  const { usage } = event
  return {
    projectId: input.projectId,
    timestamp: event.timestamp,
    idempotencyKey: input.idempotencyKey ?? newServerIdempotencyKey(),
    keyMadeByServer: input.idempotencyKey === undefined,
    provider: event.provider,
    model: event.model,
    requestedModel: event.requestedModel ?? null,
    feature: event.feature ?? null,
    conversationId: event.conversationId ?? null,
    messageId: event.messageId ?? null,
    userId: event.userId ?? null,
    traceId: event.traceId ?? null,
    spanId: event.spanId ?? null,
    parentSpanId: event.parentSpanId ?? null,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheReadInputTokens: usage.cacheReadInputTokens ?? 0,
    cacheWriteInputTokens: usage.cacheWriteInputTokens ?? 0,
    cacheWrite1hInputTokens: usage.cacheWrite1hInputTokens ?? 0,
    reasoningTokens: usage.reasoningTokens ?? 0,
    inputAudioTokens: usage.inputAudioTokens ?? 0,
    outputAudioTokens: usage.outputAudioTokens ?? 0,
    inputImageTokens: usage.inputImageTokens ?? 0,
    outputImageTokens: usage.outputImageTokens ?? 0,
    usageEstimated: event.usageEstimated,
    latencyMs: event.latencyMs ?? null,
    timeToFirstTokenMs: event.timeToFirstTokenMs ?? null,
    status: event.status,
    errorType: event.error?.type ?? null,
    errorCode: event.error?.code ?? null,
    errorHttpStatus: event.error?.httpStatus ?? null,
    errorMessage: event.error?.message ?? null,
    retryCount: event.retryCount,
    streaming: event.streaming,
    serviceTier: event.serviceTier,
    tags: event.tags ? JSON.stringify(event.tags) : null,
    metadata: event.metadata ? JSON.stringify(event.metadata) : null,
    promptText: event.promptText ?? null,
    promptHash: event.promptHash ?? null,
    costUsd: cost.costUsd,
    costStatus: cost.costStatus,
    costBreakdown: cost.breakdown ? JSON.stringify(cost.breakdown) : null,
    priceEntryId: cost.priceEntryId,
    priceSource: cost.priceSource,
  }
}
