import type { Queryable } from '../../../apps/server/src/storage/database.ts'
import {
  type ConversationSighting,
  upsertConversations,
} from '../../../apps/server/src/storage/repositories/conversations-repository.ts'
import type { LlmCallRow } from '../../../apps/server/src/storage/repositories/llm-call-columns.ts'

const CONVERSATIONS_PER_STATEMENT = 5_000

/**
 * Creates the conversations `rows` refer to, before the raw ceiling is timed: `llm_calls` has a
 * foreign key to `conversations`, so the rows cannot be written without them, and the server writes
 * them in the same transaction as its calls.
 */
export async function ensureConversationsOf(db: Queryable, rows: readonly LlmCallRow[]): Promise<void> {
  const byId = new Map<string, ConversationSighting>()
  for (const row of rows) {
    if (row.conversationId === null || byId.has(row.conversationId)) continue
    byId.set(row.conversationId, {
      projectId: row.projectId,
      id: row.conversationId,
      userId: row.userId,
      feature: row.feature,
      firstSeenAt: row.timestamp,
      lastSeenAt: row.timestamp,
    })
  }
  const sightings = [...byId.values()]
  for (let offset = 0; offset < sightings.length; offset += CONVERSATIONS_PER_STATEMENT) {
    await upsertConversations(db, sightings.slice(offset, offset + CONVERSATIONS_PER_STATEMENT))
  }
}
