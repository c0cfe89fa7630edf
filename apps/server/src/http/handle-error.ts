import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { Logger } from '../logging/logger.ts'
import { CircuitOpenError } from '../resilience/circuit-breaker.ts'
import { isTransientDatabaseError } from '../resilience/is-transient-database-error.ts'
import { isSchemaMismatch } from '../storage/is-schema-mismatch.ts'
import { ApiError } from './api-error.ts'

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error
  if (error instanceof CircuitOpenError) {
    return new ApiError(
      503,
      'DATABASE_UNAVAILABLE',
      'The database is unavailable. Retry after the delay in Retry-After.',
      {
        retryAfterSeconds: Math.max(1, Math.ceil(error.retryAfterMs / 1000)),
      },
    )
  }
  if (error instanceof HTTPException) {
    return new ApiError(
      error.status as ApiError['status'],
      'HTTP_ERROR',
      error.message || 'The request was refused.',
    )
  }
  if (isTransientDatabaseError(error)) {
    return new ApiError(
      503,
      'DATABASE_UNAVAILABLE',
      'The database did not answer. Retry after the delay in Retry-After.',
      {
        retryAfterSeconds: 5,
      },
    )
  }
  if (isSchemaMismatch(error)) {
    return new ApiError(
      503,
      'SCHEMA_NOT_CURRENT',
      'The database schema is not the one this server needs (a table, column or allowed value it uses is missing: was a migration rolled back?). Run `npx ai-cost-profiler migrate`; GET /ready lists the pending migrations.',
      { retryAfterSeconds: 30 },
    )
  }
  return new ApiError(
    500,
    'INTERNAL_ERROR',
    'The server failed to handle the request. It has been logged; retry later.',
  )
}

/** Maps every error to the API's error body in one place; never leaks a stack trace. */
export function createErrorHandler(logger: Logger) {
  return (error: Error, c: Context) => {
    const apiError = toApiError(error)
    // Refusals the server chose (busy, the database's circuit open) are load shedding, not faults:
    // one line each, without a stack trace.
    if (apiError.status === 503 && (error instanceof ApiError || error instanceof CircuitOpenError)) {
      logger.warn('request refused', { method: c.req.method, path: c.req.path, code: apiError.code })
    } else if (apiError.code === 'SCHEMA_NOT_CURRENT') {
      // An error, as the same database codes can come from a fault in the code; without a stack trace, as
      // the database's own message says what is missing.
      logger.error('request failed', {
        method: c.req.method,
        path: c.req.path,
        code: apiError.code,
        reason: error.message,
      })
    } else if (apiError.status >= 500) {
      logger.error('request failed', {
        method: c.req.method,
        path: c.req.path,
        code: apiError.code,
        err: error.stack ?? String(error),
      })
    }
    if (apiError.retryAfterSeconds !== undefined) c.header('Retry-After', String(apiError.retryAfterSeconds))
    return c.json(
      {
        ...apiError.body,
        error: {
          code: apiError.code,
          message: apiError.message,
          ...(apiError.details ? { details: apiError.details } : {}),
        },
      },
      apiError.status,
    )
  }
}
