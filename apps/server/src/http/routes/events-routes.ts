import { CALL_STATUSES, jsonTextMayHoldUnstorableText } from '@ai-cost-profiler/core'
import { Hono } from 'hono'
import { z } from 'zod'
import { ByteBudget } from '../../ingest/byte-budget.ts'
import type { IngestService } from '../../ingest/ingest-service.ts'
import type { Database } from '../../storage/database.ts'
import { listLlmCalls } from '../../storage/repositories/llm-calls-repository.ts'
import { ApiError } from '../api-error.ts'
import { decodeCursor, encodeCursor } from '../cursor.ts'
import { type AuthVariables, requireScope } from '../middleware/authenticate.ts'
import { invalidQuery, parseQuery } from '../parse-query.ts'
import { filterText, fromBeforeTo, timeRangeFields, wholeNumberQuery } from '../query-schemas.ts'
import { parseJsonText, readJsonText } from '../read-json-body.ts'

/**
 * Most bytes of ingest bodies read and not yet answered, across all requests: about 0.5 GB of
 * memory at the 15-20 times its size that a parsed batch holds. Past it, 503 SERVER_BUSY.
 */
export const MAX_INGEST_BYTES_IN_FLIGHT = 32 * 1024 * 1024

// Event JSON shrinks five to ten times with gzip: a compressed body is counted at ten times its size.
const COMPRESSION_FACTOR = 10
// What a body without a declared length (chunked) is first counted as; its share grows as it arrives.
const UNDECLARED_BODY_START_BYTES = 64 * 1024

function isCompressed(request: Request): boolean {
  return (request.headers.get('content-encoding') || 'identity').trim().toLowerCase() !== 'identity'
}

// What `received` bytes of a body will hold once read, at most the largest batch.
function heldBytes(received: number, compressed: boolean): number {
  return Math.min(MAX_BATCH_BYTES, compressed ? received * COMPRESSION_FACTOR : received)
}

// What a body will hold once read: from its declared length, or, when none is declared, a first share
// that grows with the bytes as they arrive (a few slow chunked uploads must not take the whole budget).
function expectedBodyBytes(request: Request, compressed: boolean): { bytes: number; declared: boolean } {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (!Number.isFinite(declared) || declared < 0)
    return { bytes: UNDECLARED_BODY_START_BYTES, declared: false }
  return { bytes: heldBytes(declared, compressed), declared: true }
}

function serverBusy(budget: ByteBudget): ApiError {
  return new ApiError(
    503,
    'SERVER_BUSY',
    `The server is reading ${Math.round(budget.used / 1024 / 1024)} MB of other batches. Retry after the delay in Retry-After.`,
    { retryAfterSeconds: 1 },
  )
}

/** Most events in one ingest request. */
export const MAX_EVENTS_PER_BATCH = 1_000
/** Largest ingest body, after decompression. */
export const MAX_BATCH_BYTES = 5 * 1024 * 1024

/**
 * Most calls on a page that carries prompt texts: up to 100,000 characters each (600 KB of JSON when
 * escaped), so a page of 1,000 could be hundreds of MB.
 */
export const MAX_LIMIT_WITH_PROMPT_TEXT = 50

const listQuery = fromBeforeTo(
  z.strictObject({
    ...timeRangeFields,
    limit: wholeNumberQuery(100, 1, 1_000),
    includePromptText: z
      .enum(['true', 'false', '1', '0'], 'must be true or false (also 1 or 0)')
      .transform((value) => value === 'true' || value === '1')
      .default(false),
    cursor: z.string().optional(),
    provider: filterText.optional(),
    model: filterText.optional(),
    feature: filterText.optional(),
    userId: filterText.optional(),
    conversationId: filterText.optional(),
    status: z.enum(CALL_STATUSES).optional(),
    costStatus: z.enum(['priced', 'estimated', 'unpriced']).optional(),
  }),
)

function eventsOf(body: unknown): unknown[] {
  const events =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as { events?: unknown }).events
      : undefined
  if (!Array.isArray(events)) {
    throw new ApiError(
      400,
      'INVALID_BATCH',
      'The body must be an object with an "events" array: { "events": [ ... ] }.',
    )
  }
  // As strict as the events themselves: a misspelt or unsupported field ("evnets", "dryRun") would
  // otherwise be ignored while the batch is written.
  const unknown = Object.keys(body as object).filter((key) => key !== 'events')
  if (unknown.length > 0) {
    throw new ApiError(
      400,
      'INVALID_BATCH',
      `The body has unknown field(s) ${unknown.map((key) => JSON.stringify(key)).join(', ')}; it takes only "events": { "events": [ ... ] }.`,
    )
  }
  if (events.length === 0)
    throw new ApiError(400, 'EMPTY_BATCH', 'The "events" array is empty; send at least one event.')
  if (events.length > MAX_EVENTS_PER_BATCH) {
    throw new ApiError(
      413,
      'TOO_MANY_EVENTS',
      `A batch holds at most ${MAX_EVENTS_PER_BATCH} events; this one has ${events.length}. Split it.`,
    )
  }
  return events
}

/** `POST /v1/events` (ingest) and `GET /v1/events` (keyset-paginated list). */
export function eventsRoutes(options: { db: Database; ingest: IngestService; maxBytesInFlight?: number }) {
  const app = new Hono<{ Variables: AuthVariables }>()
  const budget = new ByteBudget(options.maxBytesInFlight ?? MAX_INGEST_BYTES_IN_FLIGHT)

  app.post('/', requireScope('ingest'), async (c) => {
    // A parameter the API does not know (`?dryRun=1`) must not pass for one it honours: the batch is stored.
    if (c.req.url.includes('?')) {
      const names = [...new URL(c.req.url).searchParams.keys()]
      if (names.length > 0) {
        throw new ApiError(
          400,
          'INVALID_QUERY',
          `POST /v1/events takes no query parameters; got ${names.join(', ')}. Send the batch without them.`,
        )
      }
    }
    const compressed = isCompressed(c.req.raw)
    const expected = expectedBodyBytes(c.req.raw, compressed)
    let taken = expected.bytes
    if (!budget.tryTake(taken)) throw serverBusy(budget)
    try {
      // On Node (`serve`), the raw request is in c.env; in-process tests have none and use the web body.
      const nodeBody = (c.env as { incoming?: AsyncIterable<Uint8Array> } | undefined)?.incoming
      const onBytesRead = expected.declared
        ? undefined
        : (received: number) => {
            const needed = heldBytes(received, compressed)
            if (needed <= taken) return
            if (!budget.tryGrow(taken, needed)) throw serverBusy(budget)
            taken = needed
          }
      // A gzip body holds its inflated size before it is inflated: no more than the budget has room for.
      const reserveInflated = (bytes: number) => {
        if (bytes > taken && !budget.tryGrow(taken, bytes)) throw serverBusy(budget)
        if (bytes < taken) budget.give(taken - bytes)
        taken = bytes
        return bytes
      }
      const text = await readJsonText(c.req.raw, {
        maxBytes: MAX_BATCH_BYTES,
        nodeBody,
        onBytesRead,
        reserveInflated,
      })
      const events = eventsOf(parseJsonText(text))
      const outcome = await options.ingest.ingest(c.get('auth').projectId, events, {
        mayHoldUnstorableText: jsonTextMayHoldUnstorableText(text),
      })
      const body = {
        accepted: outcome.accepted,
        duplicates: outcome.duplicates,
        errors: outcome.errors,
        ...(outcome.warnings.length > 0 ? { warnings: outcome.warnings } : {}),
      }
      if (outcome.errors.length === 0) return c.json(body, 200)
      const rejected = new Set(outcome.errors.map((error) => error.index)).size
      if (rejected === events.length) {
        throw new ApiError(
          400,
          'INVALID_EVENTS',
          `All ${events.length} event(s) were rejected; see "errors" for each one.`,
          {
            details: outcome.errors,
            body,
          },
        )
      }
      return c.json(body, 207)
    } finally {
      budget.give(taken)
    }
  })

  app.get('/', requireScope('read'), async (c) => {
    const query = parseQuery(listQuery, c.req.queries())
    const { cursor, from, to, includePromptText, ...filters } = query
    let { limit } = query
    if (includePromptText) {
      // Prompt texts make a page heavy: its default is smaller, and a larger one is refused.
      if ((c.req.query('limit') ?? '') === '') limit = MAX_LIMIT_WITH_PROMPT_TEXT
      else if (limit > MAX_LIMIT_WITH_PROMPT_TEXT) {
        throw invalidQuery(
          'limit',
          `must be at most ${MAX_LIMIT_WITH_PROMPT_TEXT} with includePromptText (a prompt may be 100,000 characters); page on with nextCursor`,
        )
      }
    }
    const rows = await listLlmCalls(options.db, {
      projectId: c.get('auth').projectId,
      filters: { ...filters, fromUtc: from, toUtc: to },
      cursor: cursor ? decodeCursor(cursor) : undefined,
      limit: limit + 1,
      includePromptText,
    })
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    const nextCursor =
      rows.length > limit && last ? encodeCursor({ timestamp: last.timestamp, id: last.id }) : null
    return c.json({ data: page, nextCursor })
  })

  return app
}
