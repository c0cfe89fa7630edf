import type { Queryable } from '../database.ts'
import {
  type ConversationSighting,
  conversationUpsertParams,
  conversationUpsertSql,
} from './conversations-repository.ts'
import {
  LLM_CALL_COLUMNS,
  type LlmCallRow,
  llmCallInsertParams,
  llmCallInsertSql,
} from './llm-call-columns.ts'

/** Columns of the calls the statement inserted that its observability events read. */
const RETURNED_COLUMNS =
  'project_id, idempotency_key, timestamp, conversation_id, trace_id, span_id, provider, model, status, error_type, error_code, error_http_status, error_message, retry_count'

/** The payload fields every observability event of a call carries. */
const CALL_PAYLOAD = `'provider', provider, 'model', model, 'idempotencyKey', idempotency_key, 'spanId', span_id`

// The conversation arrays follow the call columns' arrays.
const CONVERSATION_PARAMS_FROM = LLM_CALL_COLUMNS.length + 1

// Built once: the statement's shape never changes, only its array parameters.
const CALL_BATCH_SQL = `
WITH conversation_upsert AS (
  ${conversationUpsertSql(CONVERSATION_PARAMS_FROM)}
), inserted AS (
  ${llmCallInsertSql(`ON CONFLICT (project_id, idempotency_key) DO NOTHING RETURNING ${RETURNED_COLUMNS}`)}
), event_insert AS (
  -- Failures, cut-off streams and retried calls leave an event correlated to the call.
  INSERT INTO observability_events (project_id, timestamp, event_type, correlation_id, conversation_id, payload)
  SELECT project_id, timestamp,
    CASE status WHEN 'error' THEN 'llm_call.failed' ELSE 'llm_call.incomplete' END,
    COALESCE(trace_id, idempotency_key), conversation_id,
    jsonb_build_object(${CALL_PAYLOAD}, 'errorType', error_type, 'errorCode', error_code,
      'httpStatus', error_http_status, 'message', error_message)
  FROM inserted WHERE status IN ('error', 'incomplete')
  UNION ALL
  SELECT project_id, timestamp, 'llm_call.retried', COALESCE(trace_id, idempotency_key), conversation_id,
    jsonb_build_object(${CALL_PAYLOAD}, 'retryCount', retry_count)
  FROM inserted WHERE retry_count > 0
)
SELECT project_id AS "projectId", idempotency_key AS "idempotencyKey" FROM inserted`

/**
 * Writes the calls of one commit group with their conversations and observability events as ONE
 * statement: a single round trip and its own transaction, all or nothing. Messages need no write:
 * `messages` is a view of the calls (migration 0005).
 *
 * Conversations are upserted in the same statement as the calls and events that name them, so none
 * is ever named before it exists (which is why neither table keeps a foreign key to it, migrations
 * 0004 and 0006); a conversation is only rewritten when the group widens its seen window or fills a
 * missing user or feature. Observability events are derived in SQL from
 * the calls actually inserted, so a duplicate call adds none. `conversations` must be unique per
 * (project, id) and in one order for every writer, so two groups never lock in a cycle.
 * Returns the idempotency keys inserted (null for calls without one).
 */
export async function insertCallBatch(
  db: Queryable,
  input: { calls: readonly LlmCallRow[]; conversations: readonly ConversationSighting[] },
): Promise<Array<{ projectId: string; idempotencyKey: string | null }>> {
  if (input.calls.length === 0) return []
  const { rows } = await db.query<{ projectId: string; idempotencyKey: string | null }>(CALL_BATCH_SQL, [
    ...llmCallInsertParams(input.calls),
    ...conversationUpsertParams(input.conversations),
  ])
  return rows
}
