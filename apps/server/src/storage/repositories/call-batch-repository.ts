import type { Queryable } from '../database.ts'
import { CONVERSATION_ON_CONFLICT_SQL } from './conversations-repository.ts'
import { type LlmCallRow, llmCallInsertParams, llmCallInsertSql } from './llm-call-columns.ts'

/** Columns of the calls the statement inserted that its conversations and observability events read. */
const RETURNED_COLUMNS =
  'project_id, idempotency_key, timestamp, conversation_id, user_id, feature, trace_id, span_id, provider, model, status, error_type, error_code, error_http_status, error_message, retry_count'

/** The payload fields every observability event of a call carries. */
const CALL_PAYLOAD = `'provider', provider, 'model', model, 'idempotencyKey', idempotency_key, 'spanId', span_id`

// Built once: the statement's shape never changes, only its array parameters.
const CALL_BATCH_SQL = `
WITH inserted AS (
  ${llmCallInsertSql(`ON CONFLICT (project_id, idempotency_key) DO NOTHING RETURNING ${RETURNED_COLUMNS}`)}
), conversation_upsert AS (
  -- What the inserted calls saw of each conversation: its window, and the user and feature of its
  -- earliest call that names them. A duplicate call is not in "inserted", so it changes nothing.
  INSERT INTO conversations AS c (project_id, id, user_id, feature, first_seen_at, last_seen_at)
  SELECT project_id, conversation_id,
    (array_agg(user_id ORDER BY timestamp) FILTER (WHERE user_id IS NOT NULL))[1],
    (array_agg(feature ORDER BY timestamp) FILTER (WHERE feature IS NOT NULL))[1],
    min(timestamp), max(timestamp)
  FROM inserted WHERE conversation_id IS NOT NULL
  GROUP BY project_id, conversation_id
  -- One order for every writer: two groups touching the same conversations lock them alike, never in a cycle.
  ORDER BY project_id, conversation_id COLLATE "C"
  ${CONVERSATION_ON_CONFLICT_SQL}
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
 * Conversations and observability events are derived in SQL from the calls the insert actually
 * stored (its RETURNING rows), so a duplicate call writes nothing at all. Each conversation is
 * upserted in the same statement as the calls and events that name it, so none is ever named before
 * it exists (which is why neither table keeps a foreign key to it, migrations 0004 and 0006); it is
 * only rewritten when the calls widen its seen window or fill a missing user or feature.
 * Returns the idempotency keys inserted (null for calls without one).
 */
export async function insertCallBatch(
  db: Queryable,
  calls: readonly LlmCallRow[],
): Promise<Array<{ projectId: string; idempotencyKey: string | null }>> {
  if (calls.length === 0) return []
  const { rows } = await db.query<{ projectId: string; idempotencyKey: string | null }>(
    CALL_BATCH_SQL,
    llmCallInsertParams(calls),
  )
  return rows
}
