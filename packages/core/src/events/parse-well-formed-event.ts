import {
  findUsageProblems,
  MAX_TOKENS_PER_BUCKET,
  type UsageBuckets,
  usageBucketsSchema,
} from '../usage/usage-buckets.ts'
import { exceedsJsonDepth } from './exceeds-json-depth.ts'
import { findInexactNumber } from './find-inexact-number.ts'
import {
  CALL_STATUSES,
  type CallError,
  type CallStatus,
  ERROR_TYPES,
  type LlmCallEvent,
  llmCallEventSchema,
  MAX_DURATION_MS,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_ID_LENGTH,
  MAX_METADATA_BYTES,
  MAX_METADATA_DEPTH,
  MAX_PROMPT_TEXT_LENGTH,
  MAX_RETRY_COUNT,
  MAX_TAG_LENGTH,
  MAX_TAGS,
  PROMPT_HASH_PATTERN,
  PROVIDER_SLUG_PATTERN,
  SERVICE_TIERS,
  type ServiceTier,
} from './llm-call-event.ts'

// The same rules as `llmCallEventSchema`, written out for the common case. Anything unusual (a
// wrong type, an unknown field, a null, an inherited key) is not judged here: the schema decides,
// and reports the problem. A property test checks that every event accepted here is accepted by
// the schema with the same output.

const timestampSchema = llmCallEventSchema.shape.timestamp
const statuses: ReadonlySet<unknown> = new Set(CALL_STATUSES)
const serviceTiers: ReadonlySet<unknown> = new Set(SERVICE_TIERS)
const errorTypes: ReadonlySet<unknown> = new Set(ERROR_TYPES)

const USAGE_KEYS: ReadonlySet<string> = new Set(Object.keys(usageBucketsSchema.shape))

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const isIdentifier = (value: unknown): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= MAX_ID_LENGTH

const isWholeNumber = (value: unknown, max: number): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max

const isDuration = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_DURATION_MS

function parseUsage(raw: unknown): UsageBuckets | undefined {
  if (!isRecord(raw)) return undefined
  const usage: Record<string, number> = {}
  for (const key in raw) {
    if (!Object.hasOwn(raw, key)) return undefined
    const value = raw[key]
    if (!USAGE_KEYS.has(key) || !isWholeNumber(value, MAX_TOKENS_PER_BUCKET)) return undefined
    usage[key] = value
  }
  if (usage.inputTokens === undefined || usage.outputTokens === undefined) return undefined
  const buckets = usage as unknown as UsageBuckets
  return findUsageProblems(buckets).length === 0 ? buckets : undefined
}

function parseError(raw: unknown): CallError | undefined {
  if (!isRecord(raw)) return undefined
  const error: Partial<Record<keyof CallError, unknown>> = {}
  for (const key in raw) {
    if (!Object.hasOwn(raw, key)) return undefined
    const value = raw[key]
    switch (key) {
      case 'type':
        if (!errorTypes.has(value)) return undefined
        break
      case 'code':
        if (!isIdentifier(value)) return undefined
        break
      case 'httpStatus':
        if (!Number.isSafeInteger(value) || (value as number) < 100 || (value as number) > 599)
          return undefined
        break
      case 'message':
        if (typeof value !== 'string' || value.length > MAX_ERROR_MESSAGE_LENGTH) return undefined
        break
      default:
        return undefined
    }
    error[key] = value
  }
  if (error.type === undefined) return undefined
  return error as CallError
}

function isTags(value: unknown): value is string[] {
  if (!Array.isArray(value) || value.length > MAX_TAGS) return false
  for (const tag of value) {
    if (typeof tag !== 'string' || tag.length < 1 || tag.length > MAX_TAG_LENGTH) return false
  }
  return true
}

function isMetadata(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value) || Object.getPrototypeOf(value) !== Object.prototype) return false
  if (exceedsJsonDepth(value, MAX_METADATA_DEPTH)) return false
  if (findInexactNumber(value) !== undefined) return false
  return Buffer.byteLength(JSON.stringify(value), 'utf8') <= MAX_METADATA_BYTES
}

/**
 * Parses an event that is well formed the way nearly every event is, without the schema's
 * machinery (ingest runs this for every event it receives). Returns undefined when the event is
 * not plainly valid: the caller then runs `llmCallEventSchema`, which decides and explains.
 */
export function parseWellFormedEvent(raw: unknown): LlmCallEvent | undefined {
  if (!isRecord(raw) || Object.getPrototypeOf(raw) !== Object.prototype) return undefined
  const event: Record<string, unknown> = {}
  for (const key in raw) {
    if (!Object.hasOwn(raw, key)) return undefined
    const value = raw[key]
    switch (key) {
      case 'idempotencyKey':
      case 'model':
      case 'requestedModel':
      case 'feature':
      case 'conversationId':
      case 'messageId':
      case 'userId':
      case 'traceId':
      case 'spanId':
      case 'parentSpanId':
        if (!isIdentifier(value)) return undefined
        event[key] = value
        break
      case 'timestamp':
        if (typeof value !== 'string' || !timestampSchema.safeParse(value).success) return undefined
        event[key] = value
        break
      case 'provider':
        if (typeof value !== 'string' || !PROVIDER_SLUG_PATTERN.test(value)) return undefined
        event[key] = value
        break
      case 'usage': {
        const usage = parseUsage(value)
        if (usage === undefined) return undefined
        event[key] = usage
        break
      }
      case 'latencyMs':
      case 'timeToFirstTokenMs':
        if (!isDuration(value)) return undefined
        event[key] = value
        break
      case 'status':
        if (!statuses.has(value)) return undefined
        event[key] = value as CallStatus
        break
      case 'error': {
        const error = parseError(value)
        if (error === undefined) return undefined
        event[key] = error
        break
      }
      case 'retryCount':
        if (!isWholeNumber(value, MAX_RETRY_COUNT)) return undefined
        event[key] = value
        break
      case 'streaming':
      case 'usageEstimated':
        if (typeof value !== 'boolean') return undefined
        event[key] = value
        break
      case 'serviceTier':
        if (!serviceTiers.has(value)) return undefined
        event[key] = value as ServiceTier
        break
      case 'tags':
        if (!isTags(value)) return undefined
        event[key] = [...value]
        break
      case 'metadata':
        if (!isMetadata(value)) return undefined
        event[key] = value
        break
      case 'promptText':
        if (typeof value !== 'string' || value.length > MAX_PROMPT_TEXT_LENGTH) return undefined
        event[key] = value
        break
      case 'promptHash':
        if (typeof value !== 'string' || !PROMPT_HASH_PATTERN.test(value)) return undefined
        event[key] = value
        break
      default:
        return undefined
    }
  }
  if (event.timestamp === undefined || event.provider === undefined || event.model === undefined)
    return undefined
  if (event.usage === undefined) return undefined
  event.status ??= 'success'
  event.retryCount ??= 0
  event.streaming ??= false
  event.usageEstimated ??= false
  event.serviceTier ??= 'standard'
  return event as unknown as LlmCallEvent
}
