import { createHash, randomBytes } from 'node:crypto'

/** What a key may do: send events, read analytics, or administer the project. */
export const API_KEY_SCOPES = ['ingest', 'read', 'admin'] as const
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number]

const KEY_PREFIX = 'acp_'

/** A new random key (256 bits). Shown once; only its hash is stored. */
export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`
}

/** SHA-256 of a key. Keys are random, so a fast hash is safe; a password hash would only slow ingest. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex')
}

/** The first characters of a key, kept to tell keys apart in listings. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, 12)
}
