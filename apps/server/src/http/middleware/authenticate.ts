import type { MiddlewareHandler } from 'hono'
import { type ApiKeyScope, hashApiKey } from '../../keys/api-key.ts'
import { API_KEY_REVOKED_CHANNEL, type MessageBus } from '../../messaging/message-bus.ts'
import type { Queryable } from '../../storage/database.ts'
import { findActiveApiKeyByHash } from '../../storage/repositories/api-keys-repository.ts'
import { ApiError } from '../api-error.ts'

/** Who is calling: the project and the scopes of the key. */
export interface AuthContext {
  projectId: string
  keyId: string
  scopes: readonly ApiKeyScope[]
}

/** Options for `authenticate`. */
export interface AuthenticateOptions {
  /**
   * Where keys are looked up, or where a request's key is (by its method and path): ingest's look-ups
   * go through the database's circuit breaker (see `createApp`).
   */
  db: Queryable | ((method: string, path: string) => Queryable)
  /** How long a looked-up key is trusted before it is read again (revocation delay). Default 30 s. */
  cacheTtlMs?: number
  /** Where revocations are announced; a revoked key leaves the cache at once. */
  bus?: MessageBus
}

/** The variables `authenticate` sets on the context. */
export type AuthVariables = { auth: AuthContext }

/**
 * Resolves `Authorization: Bearer <key>` to its project. Lookups are cached briefly so ingest does
 * not pay a database round trip per request.
 */
export function authenticate(options: AuthenticateOptions): MiddlewareHandler<{ Variables: AuthVariables }> {
  const ttlMs = options.cacheTtlMs ?? 30_000
  const cache = new Map<string, { auth: AuthContext; expiresAtMs: number }>()
  void options.bus?.subscribe(API_KEY_REVOKED_CHANNEL, (keyHash) => cache.delete(keyHash))
  return async (c, next) => {
    const header = c.req.header('authorization')
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null
    if (!match?.[1]) {
      throw new ApiError(
        401,
        'UNAUTHENTICATED',
        'Send an API key as "Authorization: Bearer <key>". Create one with `npx ai-cost-profiler keys create --project NAME`.',
      )
    }
    const keyHash = hashApiKey(match[1])
    const cached = cache.get(keyHash)
    let auth = cached && cached.expiresAtMs > Date.now() ? cached.auth : undefined
    if (!auth) {
      const db = typeof options.db === 'function' ? options.db(c.req.method, c.req.path) : options.db
      const record = await findActiveApiKeyByHash(db, keyHash)
      if (!record) {
        cache.delete(keyHash)
        throw new ApiError(
          401,
          'INVALID_API_KEY',
          'The API key is unknown or revoked. Check the key, or create a new one.',
        )
      }
      auth = { projectId: record.projectId, keyId: record.id, scopes: record.scopes }
      if (cache.size > 10_000) cache.clear()
      cache.set(keyHash, { auth, expiresAtMs: Date.now() + ttlMs })
    }
    c.set('auth', auth)
    await next()
  }
}

/** Refuses the request with 403 unless the key has `scope` (an `admin` key has every scope). */
export function requireScope(scope: ApiKeyScope): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const { scopes } = c.get('auth')
    if (!scopes.includes(scope) && !scopes.includes('admin')) {
      throw new ApiError(
        403,
        'FORBIDDEN',
        `This API key lacks the "${scope}" scope. Use a key created with --scope ${scope}.`,
      )
    }
    await next()
  }
}
