import type { Queryable } from '../../../apps/server/src/storage/database.ts'
import {
  buildLlmCallInsert,
  type LlmCallRow,
} from '../../../apps/server/src/storage/repositories/llm-call-columns.ts'

/** Options for `insertRawRows`. */
export interface InsertRawRowsOptions {
  db: Queryable
  rows: readonly LlmCallRow[]
  rowsPerStatement: number
  /** Statements in flight at once (each on its own pooled connection on PostgreSQL). */
  concurrency: number
}

/**
 * The ceiling of the ingest path: the same rows written with the same multi-row statement shape the
 * server uses (`buildLlmCallInsert` + `ON CONFLICT DO NOTHING`), each statement its own commit, and
 * nothing else. Returns the wall time of the whole write.
 */
export async function insertRawRows(options: InsertRawRowsOptions): Promise<{ durationMs: number }> {
  const chunks: LlmCallRow[][] = []
  for (let offset = 0; offset < options.rows.length; offset += options.rowsPerStatement) {
    chunks.push(options.rows.slice(offset, offset + options.rowsPerStatement))
  }
  let nextIndex = 0
  const writer = async () => {
    for (;;) {
      const chunk = chunks[nextIndex++]
      if (!chunk) return
      const { sql, params } = buildLlmCallInsert(
        chunk,
        'ON CONFLICT (project_id, idempotency_key) DO NOTHING',
      )
      await options.db.query(sql, params)
    }
  }
  const startedAtMs = performance.now()
  await Promise.all(Array.from({ length: options.concurrency }, writer))
  return { durationMs: performance.now() - startedAtMs }
}
