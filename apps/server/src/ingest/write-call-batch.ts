import type { Database } from '../storage/database.ts'
import {
  type ConversationSighting,
  insertMessages,
  type MessageRow,
  upsertConversations,
} from '../storage/repositories/conversations-repository.ts'
import type { LlmCallRow } from '../storage/repositories/llm-call-columns.ts'
import { insertLlmCalls } from '../storage/repositories/llm-calls-repository.ts'
import {
  insertObservabilityEvents,
  type ObservabilityEventRow,
} from '../storage/repositories/observability-events-repository.ts'

const keyOf = (projectId: string, key: string) => `${projectId}\u0000${key}`

function earlier(a: string, b: string): string {
  return Date.parse(a) <= Date.parse(b) ? a : b
}

function later(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b
}

function conversationsOf(rows: readonly LlmCallRow[]): ConversationSighting[] {
  const byKey = new Map<string, ConversationSighting>()
  for (const row of rows) {
    if (!row.conversationId) continue
    const key = keyOf(row.projectId, row.conversationId)
    const seen = byKey.get(key)
    if (seen) {
      seen.firstSeenAt = earlier(seen.firstSeenAt, row.timestamp)
      seen.lastSeenAt = later(seen.lastSeenAt, row.timestamp)
      seen.userId ??= row.userId
      seen.feature ??= row.feature
    } else {
      byKey.set(key, {
        projectId: row.projectId,
        id: row.conversationId,
        userId: row.userId,
        feature: row.feature,
        firstSeenAt: row.timestamp,
        lastSeenAt: row.timestamp,
      })
    }
  }
  // One order for every writer: two groups touching the same conversations lock them alike, never in a cycle.
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, sighting]) => sighting)
}

function messagesOf(rows: readonly LlmCallRow[]): MessageRow[] {
  const byKey = new Map<string, MessageRow>()
  for (const row of rows) {
    if (!row.conversationId || !row.messageId) continue
    const key = `${keyOf(row.projectId, row.conversationId)}\u0000${row.messageId}`
    const seen = byKey.get(key)
    if (seen) seen.firstSeenAt = earlier(seen.firstSeenAt, row.timestamp)
    else {
      byKey.set(key, {
        projectId: row.projectId,
        conversationId: row.conversationId,
        id: row.messageId,
        firstSeenAt: row.timestamp,
      })
    }
  }
  return [...byKey.values()]
}

/** Failures, cut-off streams and retried calls leave an observability event correlated to the call. */
function observabilityEventsOf(rows: readonly LlmCallRow[]): ObservabilityEventRow[] {
  const events: ObservabilityEventRow[] = []
  for (const row of rows) {
    const base = {
      projectId: row.projectId,
      timestamp: row.timestamp,
      correlationId: row.traceId ?? row.idempotencyKey,
      conversationId: row.conversationId,
    }
    const call = {
      provider: row.provider,
      model: row.model,
      idempotencyKey: row.idempotencyKey,
      spanId: row.spanId,
    }
    if (row.status === 'error' || row.status === 'incomplete') {
      events.push({
        ...base,
        eventType: row.status === 'error' ? 'llm_call.failed' : 'llm_call.incomplete',
        payload: JSON.stringify({
          ...call,
          errorType: row.errorType,
          errorCode: row.errorCode,
          httpStatus: row.errorHttpStatus,
          message: row.errorMessage,
        }),
      })
    }
    if (row.retryCount > 0) {
      events.push({
        ...base,
        eventType: 'llm_call.retried',
        payload: JSON.stringify({ ...call, retryCount: row.retryCount }),
      })
    }
  }
  return events
}

/**
 * Writes the rows of one commit group, with their conversations, messages and observability
 * events, in one transaction. Returns, per row, whether it was stored (false: a duplicate).
 */
export async function writeCallBatch(db: Database, rows: readonly LlmCallRow[]): Promise<boolean[]> {
  const stored = new Array<boolean>(rows.length).fill(false)
  const firstIndexByKey = new Map<string, number>()
  const toInsert: Array<{ row: LlmCallRow; index: number }> = []
  rows.forEach((row, index) => {
    if (row.idempotencyKey === null) {
      toInsert.push({ row, index })
      return
    }
    const key = keyOf(row.projectId, row.idempotencyKey)
    // Two requests in one group may carry the same key: the first wins, the rest are duplicates.
    if (firstIndexByKey.has(key)) return
    firstIndexByKey.set(key, index)
    toInsert.push({ row, index })
  })

  return db.transaction(async (tx) => {
    const insertRows = toInsert.map((item) => item.row)
    await upsertConversations(tx, conversationsOf(insertRows))
    const inserted = await insertLlmCalls(tx, insertRows)
    const insertedKeys = new Set<string>()
    for (const item of inserted)
      if (item.idempotencyKey !== null) insertedKeys.add(keyOf(item.projectId, item.idempotencyKey))
    const insertedRows: LlmCallRow[] = []
    for (const { row, index } of toInsert) {
      if (row.idempotencyKey === null || insertedKeys.has(keyOf(row.projectId, row.idempotencyKey))) {
        stored[index] = true
        insertedRows.push(row)
      }
    }
    await insertMessages(tx, messagesOf(insertedRows))
    await insertObservabilityEvents(tx, observabilityEventsOf(insertedRows))
    return stored
  })
}
