import type { Queryable } from '../storage/database.ts'
import { insertCallBatch } from '../storage/repositories/call-batch-repository.ts'
import type { ConversationSighting } from '../storage/repositories/conversations-repository.ts'
import type { LlmCallRow } from '../storage/repositories/llm-call-columns.ts'

/**
 * A map keyed by project, then by a string within it. A group nearly always holds one project, so
 * the last project's inner map is kept at hand and no composite key is built per row.
 */
class ByProject<Value> {
  readonly #projects = new Map<string, Map<string, Value>>()
  #lastProjectId: string | undefined
  #last: Map<string, Value> | undefined

  of(projectId: string): Map<string, Value> {
    if (projectId === this.#lastProjectId) return this.#last!
    let inner = this.#projects.get(projectId)
    if (inner === undefined) {
      inner = new Map()
      this.#projects.set(projectId, inner)
    }
    this.#lastProjectId = projectId
    this.#last = inner
    return inner
  }

  *entries(): IterableIterator<[projectId: string, key: string, value: Value]> {
    for (const [projectId, inner] of this.#projects)
      for (const [key, value] of inner) yield [projectId, key, value]
  }
}

interface Seen {
  sighting: ConversationSighting
  firstSeenMs: number
  lastSeenMs: number
}

function conversationsOf(rows: readonly LlmCallRow[]): ConversationSighting[] {
  const byConversation = new ByProject<Seen>()
  for (const row of rows) {
    if (!row.conversationId) continue
    const conversations = byConversation.of(row.projectId)
    const seen = conversations.get(row.conversationId)
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
      conversations.set(row.conversationId, { sighting, firstSeenMs: atMs, lastSeenMs: atMs })
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
  const sorted = [...byConversation.entries()].sort(([projectA, idA], [projectB, idB]) =>
    projectA < projectB ? -1 : projectA > projectB ? 1 : idA < idB ? -1 : idA > idB ? 1 : 0,
  )
  return sorted.map(([, , seen]) => seen.sighting)
}

/**
 * Writes the rows of one commit group, with their conversations and observability
 * events, in one statement (one round trip, all or nothing). Returns, per row, whether it was
 * stored (false: a duplicate).
 */
export async function writeCallBatch(db: Queryable, rows: readonly LlmCallRow[]): Promise<boolean[]> {
  const stored = new Array<boolean>(rows.length).fill(false)
  const firstIndexByKey = new ByProject<number>()
  const toInsert: Array<{ row: LlmCallRow; index: number }> = []
  rows.forEach((row, index) => {
    if (row.idempotencyKey !== null) {
      // Two requests in one group may carry the same key: the first wins, the rest are duplicates.
      const firstIndex = firstIndexByKey.of(row.projectId)
      if (firstIndex.has(row.idempotencyKey)) return
      firstIndex.set(row.idempotencyKey, index)
    }
    toInsert.push({ row, index })
  })

  const calls = toInsert.map((item) => item.row)
  const inserted = await insertCallBatch(db, { calls, conversations: conversationsOf(calls) })
  // Every call it was asked to insert was new: the common case needs no look-up per row.
  if (inserted.length === toInsert.length) {
    for (const { index } of toInsert) stored[index] = true
    return stored
  }
  const insertedKeys = new ByProject<true>()
  for (const item of inserted)
    if (item.idempotencyKey !== null) insertedKeys.of(item.projectId).set(item.idempotencyKey, true)
  for (const { row, index } of toInsert) {
    stored[index] = row.idempotencyKey === null || insertedKeys.of(row.projectId).has(row.idempotencyKey)
  }
  return stored
}
