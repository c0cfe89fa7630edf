import { z } from 'zod'
import { usageBucketsSchema } from '../usage/usage-buckets.ts'
import { exceedsJsonDepth } from './exceeds-json-depth.ts'
import { findImpossibleDate } from './find-impossible-date.ts'
import { findInexactNumber } from './find-inexact-number.ts'

/** Longest id, name or label accepted in an event (conversation id, feature, model, …). */
export const MAX_ID_LENGTH = 256
/** Largest `metadata` object, measured as UTF-8 JSON. */
export const MAX_METADATA_BYTES = 16_384
/** Deepest nesting of objects and arrays in `metadata`, the metadata object itself being level 1. */
export const MAX_METADATA_DEPTH = 32
/** Longest `promptText` stored with an event. */
export const MAX_PROMPT_TEXT_LENGTH = 100_000
/** Longest error message stored with an event. */
export const MAX_ERROR_MESSAGE_LENGTH = 2_000
/** At most this many tags, each at most `MAX_TAG_LENGTH` characters. */
export const MAX_TAGS = 32
export const MAX_TAG_LENGTH = 128
/** Longest `latencyMs` or `timeToFirstTokenMs`: one day. */
export const MAX_DURATION_MS = 86_400_000
/** Most retries recorded for one call. */
export const MAX_RETRY_COUNT = 100
/** A provider slug: lower case, such as `openai`. */
export const PROVIDER_SLUG_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/
/** A prompt digest: hex or base64url, optionally prefixed (`sha256:…`). */
export const PROMPT_HASH_PATTERN = /^[A-Za-z0-9:_-]{8,128}$/

/**
 * Where a call ran and how it was billed. `standard` unless the request asked for another tier.
 * `priority` is also OpenAI's Fast mode (its new name for Priority processing), which stays `priority`
 * whatever it is called (an OpenAI call sent as `fast` is kept so and billed as `priority`); `ultrafast`
 * is OpenAI's Ultrafast mode. `fast` is Anthropic's fast mode (`speed: "fast"`), a multiple of the
 * model's standard rates on every bucket.
 */
export const SERVICE_TIERS = ['standard', 'batch', 'flex', 'priority', 'ultrafast', 'fast'] as const
export type ServiceTier = (typeof SERVICE_TIERS)[number]

/** `incomplete`: a stream that ended early or failed part way, recorded with what was known. */
export const CALL_STATUSES = ['success', 'error', 'incomplete'] as const
export type CallStatus = (typeof CALL_STATUSES)[number]

/** How a failed call is classified, whatever the provider. */
export const ERROR_TYPES = [
  'rate_limit',
  'overloaded',
  'context_length',
  'authentication',
  'permission',
  'invalid_request',
  'not_found',
  'server_error',
  'timeout',
  'connection',
  'aborted',
  'unknown',
] as const
export type ErrorType = (typeof ERROR_TYPES)[number]

const identifier = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)

const providerSlug = z
  .string()
  .regex(
    PROVIDER_SLUG_PATTERN,
    'must be a lower-case provider slug such as "openai", "anthropic" or "google"',
  )

const nonNegativeMs = z
  .number()
  .finite()
  .min(0, 'must not be negative')
  .max(MAX_DURATION_MS, 'must be at most one day')

// Kept as the client's own object rather than copied key by key: a copy would turn a JSON
// "__proto__" key into the copy's prototype and drop it.
const metadata = z
  .custom<Record<string, unknown>>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      Object.getPrototypeOf(value) === Object.prototype,
    { message: 'must be a JSON object, e.g. {"plan": "pro"}', params: { code: 'INVALID_TYPE' }, abort: true },
  )
  .superRefine((value, context) => {
    // Checked first: measuring the size of deeply nested JSON would overflow the call stack.
    if (exceedsJsonDepth(value, MAX_METADATA_DEPTH)) {
      context.addIssue({
        code: 'custom',
        message: `nests objects and arrays more than ${MAX_METADATA_DEPTH} levels deep; flatten it, e.g. with dotted keys`,
        params: { code: 'TOO_LARGE' },
      })
      return
    }
    const inexact = findInexactNumber(value)
    if (inexact !== undefined) {
      context.addIssue({
        code: 'custom',
        message: `holds a number at ${inexact} that cannot be kept as written: whole numbers must lie within ±9007199254740991 (2^53 - 1) and numbers be finite; send it as a string, e.g. "12345678901234567891"`,
        params: { code: 'INVALID_VALUE' },
      })
      return
    }
    const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8')
    if (bytes > MAX_METADATA_BYTES) {
      context.addIssue({
        code: 'custom',
        message: `is ${bytes} bytes of JSON; the limit is ${MAX_METADATA_BYTES}. Move large values out of metadata`,
        params: { code: 'TOO_LARGE' },
      })
    }
  })

/** The error of a failed call. */
export const callErrorSchema = z.strictObject({
  type: z.enum(ERROR_TYPES),
  code: identifier.optional(),
  httpStatus: z.int().min(100).max(599).optional(),
  message: z
    .string()
    .max(MAX_ERROR_MESSAGE_LENGTH, `must be at most ${MAX_ERROR_MESSAGE_LENGTH} characters`)
    .optional(),
})
export type CallError = z.infer<typeof callErrorSchema>

// `…T23:59:60Z`: an ISO 8601 time, but not one a timestamp column holds.
const LEAP_SECOND = /^\d{4}-\d\d-\d\dT(?:[01]\d|2[0-3]):[0-5]\d:60(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)$/i

const TIMESTAMP_FORMAT = 'must be an ISO 8601 time with an offset, e.g. 2026-11-22T10:00:00.000Z'

// What is wrong with a timestamp that is not an ISO 8601 time with an offset, said as precisely as known.
function timestampProblem(input: unknown): string {
  if (typeof input !== 'string') return TIMESTAMP_FORMAT
  if (LEAP_SECOND.test(input)) {
    return 'is a leap second (second 60), which is not taken; write the same time as second 59.999'
  }
  const impossibleDate = findImpossibleDate(input)
  return impossibleDate === undefined
    ? TIMESTAMP_FORMAT
    : `must be a real date: ${impossibleDate} does not exist`
}

/**
 * One LLM call as it travels on the wire (the "cost record" before pricing). camelCase; times are
 * ISO 8601 with an explicit offset; usage in the core buckets.
 */
export const llmCallEventSchema = z.strictObject({
  idempotencyKey: identifier.optional(),
  timestamp: z.iso.datetime({ offset: true, error: (issue) => timestampProblem(issue.input) }),
  provider: providerSlug,
  model: identifier,
  requestedModel: identifier.optional(),
  feature: identifier.optional(),
  conversationId: identifier.optional(),
  messageId: identifier.optional(),
  userId: identifier.optional(),
  traceId: identifier.optional(),
  spanId: identifier.optional(),
  parentSpanId: identifier.optional(),
  usage: usageBucketsSchema,
  /**
   * True when the client counted or estimated `usage` itself because the provider's response carried
   * no token counts (e.g. Gemini API embeddings); a priced call is then `estimated`, not `priced`.
   */
  usageEstimated: z.boolean().default(false),
  latencyMs: nonNegativeMs.optional(),
  timeToFirstTokenMs: nonNegativeMs.optional(),
  status: z.enum(CALL_STATUSES).default('success'),
  error: callErrorSchema.optional(),
  retryCount: z.int().min(0).max(MAX_RETRY_COUNT).default(0),
  streaming: z.boolean().default(false),
  serviceTier: z.enum(SERVICE_TIERS).default('standard'),
  tags: z
    .array(
      z
        .string()
        .min(1, 'must not be empty')
        .max(MAX_TAG_LENGTH, `must be at most ${MAX_TAG_LENGTH} characters`),
    )
    .max(MAX_TAGS, `must hold at most ${MAX_TAGS} tags`)
    .optional(),
  metadata: metadata.optional(),
  promptText: z
    .string()
    .max(MAX_PROMPT_TEXT_LENGTH, `must be at most ${MAX_PROMPT_TEXT_LENGTH} characters`)
    .optional(),
  promptHash: z
    .string()
    .regex(PROMPT_HASH_PATTERN, 'must be a hex or base64url digest, 8 to 128 characters')
    .optional(),
})

/** An event as a client writes it (defaults not yet applied). */
export type LlmCallEventInput = z.input<typeof llmCallEventSchema>
/** An event after validation, with defaults applied. */
export type LlmCallEvent = z.output<typeof llmCallEventSchema>

// An id as a part of a derived key: `%` and `:` are escaped (`%25`, `%3A`), so no two pairs of ids
// make the same key (`a:b` + `c` against `a` + `b:c`). Ids without them, nearly all, stay as they are,
// so keys derived before the escaping still match.
function keyPart(id: string): string {
  return id.includes(':') || id.includes('%') ? id.replaceAll('%', '%25').replaceAll(':', '%3A') : id
}

/**
 * The idempotency key of an event: its own, or `conversationId:messageId:epochMs` when both ids
 * are present, so a client that resends the same message without a key is still deduplicated.
 */
export function deriveIdempotencyKey(event: LlmCallEvent): string | undefined {
  if (event.idempotencyKey) return event.idempotencyKey
  if (event.conversationId && event.messageId) {
    return `${keyPart(event.conversationId)}:${keyPart(event.messageId)}:${Date.parse(event.timestamp)}`
  }
  return undefined
}
