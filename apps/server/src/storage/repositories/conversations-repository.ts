import type { Queryable } from '../database.ts'
import { postgresArrayLiteral } from '../postgres-array-literal.ts'

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
 * How a sighting meets a conversation that exists (`INSERT INTO conversations AS c … ON CONFLICT`,
 * here and in the ingest statement): the row is rewritten only when the sighting widens its seen
 * window or fills a missing user or feature.
 */
export const CONVERSATION_ON_CONFLICT_SQL = `ON CONFLICT (project_id, id) DO UPDATE SET
    first_seen_at = LEAST(c.first_seen_at, EXCLUDED.first_seen_at),
    last_seen_at = GREATEST(c.last_seen_at, EXCLUDED.last_seen_at),
    user_id = COALESCE(c.user_id, EXCLUDED.user_id),
    feature = COALESCE(c.feature, EXCLUDED.feature)
  WHERE EXCLUDED.first_seen_at < c.first_seen_at OR EXCLUDED.last_seen_at > c.last_seen_at
    OR (c.user_id IS NULL AND EXCLUDED.user_id IS NOT NULL)
    OR (c.feature IS NULL AND EXCLUDED.feature IS NOT NULL)`

/** The upsert that creates conversations or widens their seen window, from six array parameters. */
const UPSERT_CONVERSATIONS_SQL = `INSERT INTO conversations AS c (project_id, id, user_id, feature, first_seen_at, last_seen_at)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
  ${CONVERSATION_ON_CONFLICT_SQL}`

/** The parameters of the upsert for `rows`, one array literal per column. */
function conversationUpsertParams(rows: readonly ConversationSighting[]): string[] {
  return [
    rows.map((row) => row.projectId),
    rows.map((row) => row.id),
    rows.map((row) => row.userId),
    rows.map((row) => row.feature),
    rows.map((row) => row.firstSeenAt),
    rows.map((row) => row.lastSeenAt),
  ].map(postgresArrayLiteral)
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
  await db.query(UPSERT_CONVERSATIONS_SQL, conversationUpsertParams(rows))
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
