import { randomBytes } from 'node:crypto'
import type { Database } from '../../storage/database.ts'
import type { LlmCallRow } from '../../storage/repositories/llm-call-columns.ts'
import { insertLlmCalls } from '../../storage/repositories/llm-calls-repository.ts'
import { ensureProject } from '../../storage/repositories/projects-repository.ts'

/** A stored-call row as ingest writes it, priced at `costUsd`, with any field replaced. */
export function callRow(projectId: string, overrides: Partial<LlmCallRow> = {}): LlmCallRow {
  return {
    projectId,
    timestamp: '2025-03-10T10:15:00.000Z',
    idempotencyKey: null,
    provider: 'openai',
    model: 'gpt-4o-mini',
    requestedModel: null,
    feature: 'support-chat',
    conversationId: null,
    messageId: null,
    userId: null,
    traceId: null,
    spanId: null,
    parentSpanId: null,
    inputTokens: 1000,
    outputTokens: 200,
    cacheReadInputTokens: 100,
    cacheWriteInputTokens: 0,
    cacheWrite1hInputTokens: 0,
    reasoningTokens: 0,
    inputAudioTokens: 0,
    outputAudioTokens: 0,
    usageEstimated: false,
    inputImageTokens: 0,
    outputImageTokens: 0,
    latencyMs: 800,
    timeToFirstTokenMs: null,
    status: 'success',
    errorType: null,
    errorCode: null,
    errorHttpStatus: null,
    errorMessage: null,
    retryCount: 0,
    streaming: false,
    serviceTier: 'standard',
    tags: null,
    metadata: null,
    promptText: null,
    promptHash: null,
    costUsd: '0.000100000000',
    costStatus: 'priced',
    costBreakdown: null,
    priceEntryId: 'test',
    priceSource: 'catalogue',
    ...overrides,
  }
}

/** Stores rows as ingest would. */
export async function insertCalls(db: Database, rows: readonly LlmCallRow[]): Promise<void> {
  await insertLlmCalls(db, rows)
}

/** A new project with a random name; returns its id. */
export async function createProject(db: Database): Promise<string> {
  const { project } = await ensureProject(db, `jobs-${randomBytes(4).toString('hex')}`)
  return project.id
}
