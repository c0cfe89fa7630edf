import type { Queryable } from '../storage/database.ts'
import { insertCallBatch } from '../storage/repositories/call-batch-repository.ts'
import type { ConversationSighting } from '../storage/repositories/conversations-repository.ts'
import type { LlmCallRow } from '../storage/repositories/llm-call-columns.ts'

const keyOf = (projectId: string, key: string) => `${projectId}\u0000${key}`

interface Seen {
  sighting: ConversationSighting
  firstSeenMs: number
  lastSeenMs: number
}

function conversationsOf(rows: readonly LlmCallRow[]): ConversationSighting[] {
  const byKey = new Map<string, Seen>()
  for (const row of rows) {
    if (!row.conversationId) continue
    const key = keyOf(row.projectId, row.conversationId)
    const seen = byKey.get(key)
    if (seen === undefined) {
      const sighting: ConversationSighting = {
        projectId: row.projectId,
        id: row.conversationId,
        userId: row.userId,
        feature: row.feature,
        firstSeenAt: row.timestamp,
        lastSeenAt: row.timestamp,
      }
      const atMs = Date.parse(row.timestamp)
      byKey.set(key, { sighting, firstSeenMs: atMs, lastSeenMs: atMs })
      continue
    }
    // Timestamps may carry any offset, so they are compared as instants, each parsed once.
    const atMs = Date.parse(row.timestamp)
    const { sighting } = seen
    if (atMs < seen.firstSeenMs) {
      seen.firstSeenMs = atMs
      sighting.firstSeenAt = row.timestamp
    }
    if (atMs > seen.lastSeenMs) {
      seen.lastSeenMs = atMs
      sighting.lastSeenAt = row.timestamp
    }
    sighting.userId ??= row.userId
    sighting.feature ??= row.feature
  }
  // One order for every writer: two groups touching the same conversations lock them alike, never in a cycle.
  return [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, seen]) => seen.sighting)
}

/**
 * Writes the rows of one commit group, with their conversations and observability
 * events, in one statement (one round trip, all or nothing). Returns, per row, whether it was
 * stored (false: a duplicate).
 */
export async function writeCallBatch(db: Queryable, rows: readonly LlmCallRow[]): Promise<boolean[]> {
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

  const calls = toInsert.map((item) => item.row)
  const inserted = await insertCallBatch(db, { calls, conversations: conversationsOf(calls) })
  const insertedKeys = new Set<string>()
  for (const item of inserted)
    if (item.idempotencyKey !== null) insertedKeys.add(keyOf(item.projectId, item.idempotencyKey))
  for (const { row, index } of toInsert) {
    stored[index] = row.idempotencyKey === null || insertedKeys.has(keyOf(row.projectId, row.idempotencyKey))
  }
  return stored
}
