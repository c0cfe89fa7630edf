import type { Queryable } from '../database.ts'
import { buildLlmCallInsert, type LlmCallRow } from './llm-call-columns.ts'

/**
 * Inserts cost records in one statement. A row whose idempotency key the project already has is
 * skipped, never stored twice; returns the keys that were inserted (null for rows without a key).
 */
export async function insertLlmCalls(
  db: Queryable,
  rows: readonly LlmCallRow[],
): Promise<Array<{ projectId: string; idempotencyKey: string | null }>> {
  if (rows.length === 0) return []
  const { sql, params } = buildLlmCallInsert(
    rows,
    'ON CONFLICT (project_id, idempotency_key) DO NOTHING RETURNING project_id AS "projectId", idempotency_key AS "idempotencyKey"',
  )
  const { rows: inserted } = await db.query<{ projectId: string; idempotencyKey: string | null }>(sql, params)
  return inserted
}

/** Filters of the event list; all optional and combined with AND. */
export interface LlmCallFilters {
  fromUtc?: string
  toUtc?: string
  provider?: string
  model?: string
  feature?: string
  userId?: string
  conversationId?: string
  status?: string
  costStatus?: string
}

/** A position in the newest-first list: the last row seen. */
export interface LlmCallCursor {
  timestamp: string
  id: string
}

/** A stored cost record as the API returns it: the written row, with JSON parsed and server fields added. */
export type StoredLlmCall = Omit<
  LlmCallRow,
  'projectId' | 'promptText' | 'tags' | 'metadata' | 'costBreakdown'
> & {
  /** Only when asked for (`includePromptText`): up to 100,000 characters a call. */
  promptText?: string | null
  id: string
  ingestedAt: string
  tags: string[] | null
  metadata: Record<string, unknown> | null
  costBreakdown: Record<string, string> | null
}

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

const SELECT_COLUMNS = `id::text AS id, ${ISO('timestamp')} AS timestamp, ${ISO('ingested_at')} AS "ingestedAt",
  idempotency_key AS "idempotencyKey", provider, model, requested_model AS "requestedModel", feature,
  conversation_id AS "conversationId", message_id AS "messageId", user_id AS "userId", trace_id AS "traceId",
  span_id AS "spanId", parent_span_id AS "parentSpanId", input_tokens AS "inputTokens", output_tokens AS "outputTokens",
  cache_read_input_tokens AS "cacheReadInputTokens", cache_write_input_tokens AS "cacheWriteInputTokens",
  cache_write_1h_input_tokens AS "cacheWrite1hInputTokens", reasoning_tokens AS "reasoningTokens",
  input_audio_tokens AS "inputAudioTokens", output_audio_tokens AS "outputAudioTokens",
  input_image_tokens AS "inputImageTokens", output_image_tokens AS "outputImageTokens",
  usage_estimated AS "usageEstimated", latency_ms AS "latencyMs",
  time_to_first_token_ms AS "timeToFirstTokenMs", status, error_type AS "errorType", error_code AS "errorCode",
  error_http_status AS "errorHttpStatus", error_message AS "errorMessage", retry_count AS "retryCount", streaming,
  service_tier AS "serviceTier", tags, metadata, prompt_hash AS "promptHash", cost_usd::text AS "costUsd",
  cost_status AS "costStatus", cost_breakdown AS "costBreakdown", price_entry_id AS "priceEntryId",
  price_source AS "priceSource"`

const FILTER_COLUMNS: ReadonlyArray<readonly [keyof LlmCallFilters, string]> = [
  ['provider', 'provider'],
  ['model', 'model'],
  ['feature', 'feature'],
  ['userId', 'user_id'],
  ['conversationId', 'conversation_id'],
  ['status', 'status'],
  ['costStatus', 'cost_status'],
]

/**
 * Lists a project's calls newest first with keyset pagination on (timestamp, id): each page is an
 * index range scan, however deep the page.
 */
export async function listLlmCalls(
  db: Queryable,
  input: {
    projectId: string
    filters: LlmCallFilters
    cursor?: LlmCallCursor
    limit: number
    /** Adds each call's `promptText`: keep `limit` small, a prompt may be 100,000 characters. */
    includePromptText?: boolean
  },
): Promise<StoredLlmCall[]> {
  const conditions = ['project_id = $1']
  const params: unknown[] = [input.projectId]
  const add = (sql: (placeholder: string) => string, value: unknown) => {
    params.push(value)
    conditions.push(sql(`$${params.length}`))
  }
  if (input.filters.fromUtc) add((p) => `timestamp >= ${p}`, input.filters.fromUtc)
  if (input.filters.toUtc) add((p) => `timestamp < ${p}`, input.filters.toUtc)
  for (const [field, column] of FILTER_COLUMNS) {
    const value = input.filters[field]
    if (value !== undefined) add((p) => `${column} = ${p}`, value)
  }
  if (input.cursor) {
    params.push(input.cursor.timestamp, input.cursor.id)
    conditions.push(`(timestamp, id) < ($${params.length - 1}::timestamptz, $${params.length}::bigint)`)
  }
  params.push(input.limit)
  // Qualified: a bare `timestamp` or `id` in ORDER BY names the text output columns of the same names, which
  // sort differently from the (timestamp, id) the cursor compares ('10' < '9').
  const { rows } = await db.query<StoredLlmCall>(
    `SELECT ${SELECT_COLUMNS}${input.includePromptText ? ', prompt_text AS "promptText"' : ''}
     FROM llm_calls WHERE ${conditions.join(' AND ')}
     ORDER BY llm_calls.timestamp DESC, llm_calls.id DESC LIMIT $${params.length}`,
    params,
  )
  return rows
}
