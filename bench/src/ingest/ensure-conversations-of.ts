import type { Queryable } from '../../../apps/server/src/storage/database.ts'
import {
  type ConversationSighting,
  upsertConversations,
} from '../../../apps/server/src/storage/repositories/conversations-repository.ts'
import type { LlmCallRow } from '../../../apps/server/src/storage/repositories/llm-call-columns.ts'

const CONVERSATIONS_PER_STATEMENT = 5_000

/**
 * Creates the conversations `rows` refer to, before the raw ceiling is timed, so the raw phase meets
 * the same tables as the HTTP phase, where the server upserts them in the statement that writes
 * their calls. (`llm_calls` keeps no foreign key to them since migration 0004; the upsert is the
 * HTTP path's own work and stays out of the ceiling.)
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
