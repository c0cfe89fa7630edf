import type { Queryable } from '../storage/database.ts'
import { insertCallBatch } from '../storage/repositories/call-batch-repository.ts'
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
}

/**
 * Writes the rows of one commit group, with their conversations and observability
 * events, in one statement (one round trip, all or nothing). Returns, per row, whether it was
 * stored (false: a duplicate, which writes nothing). Safe to try again after a failure whose commit
 * is unknown: a call with a server-made key is never stored twice, and is still counted as stored.
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

  const inserted = await insertCallBatch(
    db,
    toInsert.map((item) => item.row),
  )
  // Every call it was asked to insert was new: the common case needs no look-up per row.
  if (inserted.length === toInsert.length) {
    for (const { index } of toInsert) stored[index] = true
    return stored
  }
  const insertedKeys = new ByProject<true>()
  for (const item of inserted)
    if (item.idempotencyKey !== null) insertedKeys.of(item.projectId).set(item.idempotencyKey, true)
  for (const { row, index } of toInsert) {
    const key = row.idempotencyKey
    // A key the server made for this request is in no other: found already stored, it was stored by an
    // earlier try of this very write, which committed before its connection was lost.
    stored[index] = key === null || row.keyMadeByServer === true || insertedKeys.of(row.projectId).has(key)
  }
  return stored
}
