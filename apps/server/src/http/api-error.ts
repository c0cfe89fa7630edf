import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** Options for `ApiError`. */
export interface ApiErrorOptions {
  details?: unknown[]
  /** Seconds for the `Retry-After` header (429 and 503). */
  retryAfterSeconds?: number
  /** Extra top-level fields of the body (e.g. the batch counts of a rejected ingest). */
  body?: Record<string, unknown>
  cause?: unknown
}

/**
 * The one HTTP error of the server. Handlers throw it; `handleError` renders
 * `{ error: { code, message, details } }` with its status.
 */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode
  readonly code: string
  readonly details: unknown[] | undefined
  readonly retryAfterSeconds: number | undefined
  readonly body: Record<string, unknown> | undefined

  constructor(status: ContentfulStatusCode, code: string, message: string, options: ApiErrorOptions = {}) {
    super(message, { cause: options.cause })
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = options.details
    this.retryAfterSeconds = options.retryAfterSeconds
    this.body = options.body
  }
}
