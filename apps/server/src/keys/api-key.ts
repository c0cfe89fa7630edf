import { createHash, randomBytes } from 'node:crypto'

/** What a key may do: send events, read analytics, or administer the project. */
export const API_KEY_SCOPES = ['ingest', 'read', 'admin'] as const
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number]

const KEY_PREFIX = 'acp_'

/** A new random key (256 bits). Shown once; only its hash and `apiKeyPrefix` are stored. */
export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`
}

/** SHA-256 of a key. Keys are random, so a fast hash is safe; a password hash would only slow ingest. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex')
}

/** Who chose a key: the server (`generateApiKey`), or the operator (`ACP_INIT_API_KEY`). */
export type ApiKeyOrigin = 'generated' | 'operator'

// `acp_` and 4 of the 43 random characters: 24 of the key's 256 bits, enough to tell keys apart in a
// listing, far too few to help guess the rest.
const GENERATED_PREFIX_LENGTH = KEY_PREFIX.length + 4
// Of an operator's key (as short as 20 characters, maybe not random) no character is kept: the
// first 8 hex digits of its hash are, which the stored hash holds anyway.
const OPERATOR_FINGERPRINT_HEX_DIGITS = 8

/**
 * What `keys list` shows of a key to tell it apart, stored in `api_keys.key_prefix`: a generated key's
 * first 8 characters (`acp_Ab3x`), or for an operator's key `sha256:` and the first 8 hex digits of
 * its hash (`printf %s "$KEY" | sha256sum` shows them). docs/cli.md says the same.
 */
export function apiKeyPrefix(key: string, origin: ApiKeyOrigin): string {
  return origin === 'generated'
    ? key.slice(0, GENERATED_PREFIX_LENGTH)
    : `sha256:${hashApiKey(key).slice(0, OPERATOR_FINGERPRINT_HEX_DIGITS)}`
}
