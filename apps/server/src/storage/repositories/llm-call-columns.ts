import { postgresArrayLiteral } from '../postgres-array-literal.ts'

/** One cost record as written to `llm_calls` (camelCase in code, snake_case in SQL). */
export interface LlmCallRow {
  projectId: string
  timestamp: string
  idempotencyKey: string | null
  /** Not stored: the server made `idempotencyKey` for a call sent without one (see `buildCallRow`). */
  keyMadeByServer?: boolean
  provider: string
  model: string
  requestedModel: string | null
  feature: string | null
  conversationId: string | null
  messageId: string | null
  userId: string | null
  traceId: string | null
  spanId: string | null
  parentSpanId: string | null
  inputTokens: number
  outputTokens: number
  cacheReadInputTokens: number
  cacheWriteInputTokens: number
  cacheWrite1hInputTokens: number
  reasoningTokens: number
  inputAudioTokens: number
  outputAudioTokens: number
  inputImageTokens: number
  outputImageTokens: number
  usageEstimated: boolean
  latencyMs: number | null
  timeToFirstTokenMs: number | null
  status: string
  errorType: string | null
  errorCode: string | null
  errorHttpStatus: number | null
  errorMessage: string | null
  retryCount: number
  streaming: boolean
  serviceTier: string
  /** JSON text. */
  tags: string | null
  /** JSON text. */
  metadata: string | null
  promptText: string | null
  promptHash: string | null
  costUsd: string | null
  costStatus: string
  /** JSON text. */
  costBreakdown: string | null
  priceEntryId: string | null
  priceSource: string | null
}

/** Column name and SQL array type of each field, in insert order. */
export const LLM_CALL_COLUMNS: ReadonlyArray<readonly [keyof LlmCallRow, string, string]> = [
  ['projectId', 'project_id', 'uuid'],
  ['timestamp', 'timestamp', 'timestamptz'],
  ['idempotencyKey', 'idempotency_key', 'text'],
  ['provider', 'provider', 'text'],
  ['model', 'model', 'text'],
  ['requestedModel', 'requested_model', 'text'],
  ['feature', 'feature', 'text'],
  ['conversationId', 'conversation_id', 'text'],
  ['messageId', 'message_id', 'text'],
  ['userId', 'user_id', 'text'],
  ['traceId', 'trace_id', 'text'],
  ['spanId', 'span_id', 'text'],
  ['parentSpanId', 'parent_span_id', 'text'],
  ['inputTokens', 'input_tokens', 'int4'],
  ['outputTokens', 'output_tokens', 'int4'],
  ['cacheReadInputTokens', 'cache_read_input_tokens', 'int4'],
  ['cacheWriteInputTokens', 'cache_write_input_tokens', 'int4'],
  ['cacheWrite1hInputTokens', 'cache_write_1h_input_tokens', 'int4'],
  ['reasoningTokens', 'reasoning_tokens', 'int4'],
  ['inputAudioTokens', 'input_audio_tokens', 'int4'],
  ['outputAudioTokens', 'output_audio_tokens', 'int4'],
  ['inputImageTokens', 'input_image_tokens', 'int4'],
  ['outputImageTokens', 'output_image_tokens', 'int4'],
  ['usageEstimated', 'usage_estimated', 'bool'],
  ['latencyMs', 'latency_ms', 'float8'],
  ['timeToFirstTokenMs', 'time_to_first_token_ms', 'float8'],
  ['status', 'status', 'text'],
  ['errorType', 'error_type', 'text'],
  ['errorCode', 'error_code', 'text'],
  ['errorHttpStatus', 'error_http_status', 'int2'],
  ['errorMessage', 'error_message', 'text'],
  ['retryCount', 'retry_count', 'int2'],
  ['streaming', 'streaming', 'bool'],
  ['serviceTier', 'service_tier', 'text'],
  ['tags', 'tags', 'jsonb'],
  ['metadata', 'metadata', 'jsonb'],
  ['promptText', 'prompt_text', 'text'],
  ['promptHash', 'prompt_hash', 'text'],
  ['costUsd', 'cost_usd', 'numeric'],
  ['costStatus', 'cost_status', 'text'],
  ['costBreakdown', 'cost_breakdown', 'jsonb'],
  ['priceEntryId', 'price_entry_id', 'text'],
  ['priceSource', 'price_source', 'text'],
]

const COLUMN_NAMES = LLM_CALL_COLUMNS.map(([, column]) => column).join(', ')
const UNNEST_ARRAYS = LLM_CALL_COLUMNS.map(([, , type], index) => `$${index + 1}::${type}[]`).join(', ')

/**
 * The multi-row insert into `llm_calls`: one array parameter per column (`$1` … in
 * `LLM_CALL_COLUMNS` order), expanded by `unnest`, so a batch of any size is one statement with a
 * fixed shape and no parameter limit. Pair it with `llmCallInsertParams`.
 */
export function llmCallInsertSql(onConflict: string): string {
  return `INSERT INTO llm_calls (${COLUMN_NAMES}) SELECT * FROM unnest(${UNNEST_ARRAYS}) ${onConflict}`
}

/** The parameters of `llmCallInsertSql` for `rows`: one array literal per column. */
export function llmCallInsertParams(rows: readonly LlmCallRow[]): string[] {
  return LLM_CALL_COLUMNS.map(([field]) => postgresArrayLiteral(rows.map((row) => row[field])))
}

/** `llmCallInsertSql` with its parameters for `rows`. */
export function buildLlmCallInsert(
  rows: readonly LlmCallRow[],
  onConflict: string,
): { sql: string; params: unknown[] } {
  return { sql: llmCallInsertSql(onConflict), params: llmCallInsertParams(rows) }
}
