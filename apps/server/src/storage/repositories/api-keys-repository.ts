import { type ApiKeyOrigin, type ApiKeyScope, apiKeyPrefix, hashApiKey } from '../../keys/api-key.ts'
import type { Queryable } from '../database.ts'

/** A stored key, without its secret. */
export interface ApiKeyRecord {
  id: string
  projectId: string
  name: string
  keyPrefix: string
  scopes: ApiKeyScope[]
  createdAt: string
  revokedAt: string | null
}

const COLUMNS = `id, project_id AS "projectId", name, key_prefix AS "keyPrefix", scopes,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
  to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "revokedAt"`

/**
 * Stores the hash of `key` for a project, and what `apiKeyPrefix` keeps to tell it apart (which
 * depends on who chose the key). The key itself is never stored.
 */
export async function insertApiKey(
  db: Queryable,
  input: {
    projectId: string
    key: string
    origin: ApiKeyOrigin
    scopes: readonly ApiKeyScope[]
    name?: string
  },
): Promise<ApiKeyRecord> {
  const { rows } = await db.query<ApiKeyRecord>(
    `INSERT INTO api_keys (project_id, name, key_prefix, key_hash, scopes) VALUES ($1, $2, $3, $4, $5)
     RETURNING ${COLUMNS}`,
    [
      input.projectId,
      input.name ?? '',
      apiKeyPrefix(input.key, input.origin),
      hashApiKey(input.key),
      input.scopes,
    ],
  )
  return rows[0]!
}

/** The live (not revoked) key with this hash, if any. */
export async function findActiveApiKeyByHash(
  db: Queryable,
  keyHash: string,
): Promise<ApiKeyRecord | undefined> {
  const { rows } = await db.query<ApiKeyRecord>(
    `SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
    [keyHash],
  )
  return rows[0]
}

/** Keys of a project, newest first. */
export async function listApiKeys(db: Queryable, projectId: string): Promise<ApiKeyRecord[]> {
  const { rows } = await db.query<ApiKeyRecord>(
    `SELECT ${COLUMNS} FROM api_keys WHERE project_id = $1 ORDER BY created_at DESC`,
    [projectId],
  )
  return rows
}

/** Revokes a key; returns its hash (to announce the revocation), or undefined when no live key matched. */
export async function revokeApiKey(
  db: Queryable,
  input: { projectId: string; id: string },
): Promise<string | undefined> {
  const { rows } = await db.query<{ keyHash: string }>(
    `UPDATE api_keys SET revoked_at = now() WHERE project_id = $1 AND id = $2 AND revoked_at IS NULL
     RETURNING key_hash AS "keyHash"`,
    [input.projectId, input.id],
  )
  return rows[0]?.keyHash
}
