import type { Queryable } from '../database.ts'

/** What one batch saw of a conversation. */
export interface ConversationSighting {
  projectId: string
  id: string
  userId: string | null
  feature: string | null
  firstSeenAt: string
  lastSeenAt: string
}

/**
 * Creates conversations or widens their seen window. Rows must be unique per (project, id): one
 * statement may not touch a row twice.
 */
export async function upsertConversations(
  db: Queryable,
  rows: readonly ConversationSighting[],
): Promise<void> {
  if (rows.length === 0) return
  await db.query(
    `INSERT INTO conversations (project_id, id, user_id, feature, first_seen_at, last_seen_at)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
     ON CONFLICT (project_id, id) DO UPDATE SET
       first_seen_at = LEAST(conversations.first_seen_at, EXCLUDED.first_seen_at),
       last_seen_at = GREATEST(conversations.last_seen_at, EXCLUDED.last_seen_at),
       user_id = COALESCE(conversations.user_id, EXCLUDED.user_id),
       feature = COALESCE(conversations.feature, EXCLUDED.feature)`,
    [
      rows.map((row) => row.projectId),
      rows.map((row) => row.id),
      rows.map((row) => row.userId),
      rows.map((row) => row.feature),
      rows.map((row) => row.firstSeenAt),
      rows.map((row) => row.lastSeenAt),
    ],
  )
}

/**
 * Deletes a conversation with its messages and observability events; its calls stay, with their
 * cost, and `conversation_id` set to NULL. True when it existed.
 */
export async function deleteConversation(
  db: Queryable,
  input: { projectId: string; id: string },
): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM conversations WHERE project_id = $1 AND id = $2', [
    input.projectId,
    input.id,
  ])
  return rowCount > 0
}
