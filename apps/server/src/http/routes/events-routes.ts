import { CALL_STATUSES, jsonTextMayHoldUnstorableText } from '@ai-cost-profiler/core'
import { Hono } from 'hono'
import { z } from 'zod'
import type { IngestService } from '../../ingest/ingest-service.ts'
import type { Database } from '../../storage/database.ts'
import { listLlmCalls } from '../../storage/repositories/llm-calls-repository.ts'
import { ApiError } from '../api-error.ts'
import { decodeCursor, encodeCursor } from '../cursor.ts'
import { type AuthVariables, requireScope } from '../middleware/authenticate.ts'
import { parseQuery } from '../parse-query.ts'
import { filterText, fromBeforeTo, timeRangeFields } from '../query-schemas.ts'
import { parseJsonText, readJsonText } from '../read-json-body.ts'

/** Most events in one ingest request. */
export const MAX_EVENTS_PER_BATCH = 1_000
/** Largest ingest body, after decompression. */
export const MAX_BATCH_BYTES = 5 * 1024 * 1024

const listQuery = fromBeforeTo(
  z.strictObject({
    ...timeRangeFields,
    limit: z.coerce.number().int().min(1).max(1_000).default(100),
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
export function eventsRoutes(options: { db: Database; ingest: IngestService }) {
  const app = new Hono<{ Variables: AuthVariables }>()

  app.post('/', requireScope('ingest'), async (c) => {
    // On Node (`serve`), the raw request is in c.env; in-process tests have none and use the web body.
    const nodeBody = (c.env as { incoming?: AsyncIterable<Uint8Array> } | undefined)?.incoming
    const text = await readJsonText(c.req.raw, { maxBytes: MAX_BATCH_BYTES, nodeBody })
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
  })

  app.get('/', requireScope('read'), async (c) => {
    const query = parseQuery(listQuery, c.req.query())
    const { limit, cursor, from, to, ...filters } = query
    const rows = await listLlmCalls(options.db, {
      projectId: c.get('auth').projectId,
      filters: { ...filters, fromUtc: from, toUtc: to },
      cursor: cursor ? decodeCursor(cursor) : undefined,
      limit: limit + 1,
    })
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    const nextCursor =
      rows.length > limit && last ? encodeCursor({ timestamp: last.timestamp, id: last.id }) : null
    return c.json({ data: page, nextCursor })
  })

  return app
}
