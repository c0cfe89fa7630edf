import type { z } from 'zod'
import { findUnstorableText } from './find-unstorable-text.ts'
import { deriveIdempotencyKey, type LlmCallEvent, llmCallEventSchema } from './llm-call-event.ts'
import { parseWellFormedEvent } from './parse-well-formed-event.ts'
import { toUtcTimestamp } from './to-utc-timestamp.ts'

/** Stable codes for a rejected event. */
export type EventErrorCode =
  | 'INVALID_TYPE'
  | 'INVALID_VALUE'
  | 'MISSING_FIELD'
  | 'UNKNOWN_FIELD'
  | 'TOO_LARGE'
  | 'PART_EXCEEDS_WHOLE'
  | 'TIMESTAMP_IN_FUTURE'
  | 'TIMESTAMP_TOO_OLD'
  | 'DUPLICATE_IN_BATCH'

/** Why one event of a batch was rejected. `path` is a dotted field path (`usage.inputTokens`). */
export interface EventError {
  index: number
  path: string
  code: EventErrorCode
  message: string
}

/** A valid event with its position in the batch and its effective idempotency key. */
export interface ValidEvent {
  index: number
  event: LlmCallEvent
  idempotencyKey: string | undefined
  timestampMs: number
}

/** Options for `validateEventBatch`. */
export interface ValidateEventBatchOptions {
  /** The current time, so validation is deterministic in tests. */
  nowMs: number
  /** How far ahead of `nowMs` a timestamp may be (clock skew). Default 1 hour. */
  maxFutureMs?: number
  /** Oldest accepted timestamp. Default 2000-01-01T00:00:00Z. */
  minTimestampMs?: number
  /**
   * Where the project's retention has deleted raw calls: a call stamped before it is refused, as
   * the totals kept for that period are final.
   */
  retentionCutoffMs?: number | undefined
  /**
   * False when the caller knows no string can hold NUL or an unpaired surrogate (see
   * `jsonTextMayHoldUnstorableText`), which skips that check. Default true.
   */
  mayHoldUnstorableText?: boolean
  /**
   * A last check of an otherwise valid event (the server's: its cost fits what is stored), run before
   * its idempotency key counts as taken, so a later event with that key is not refused as a repeat of
   * one that was itself refused.
   */
  finalCheck?: (event: LlmCallEvent, index: number) => Omit<EventError, 'index'> | undefined
}

const DEFAULT_MAX_FUTURE_MS = 3_600_000
/** The oldest call time accepted by default (2000-01-01T00:00:00Z): older is taken for a mistake. */
export const EARLIEST_EVENT_TIMESTAMP_MS = Date.UTC(2000, 0, 1)

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  return value
}

function codeOf(issue: z.core.$ZodIssue, missing: boolean): EventErrorCode {
  const custom = (issue as { params?: { code?: EventErrorCode } }).params?.code
  if (custom) return custom
  // A required field left out, whatever zod checked first (its type, or one of a set of values).
  if (missing && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) return 'MISSING_FIELD'
  switch (issue.code) {
    case 'invalid_type':
      return 'INVALID_TYPE'
    case 'unrecognized_keys':
      return 'UNKNOWN_FIELD'
    case 'too_big':
      return 'TOO_LARGE'
    default:
      return 'INVALID_VALUE'
  }
}

// How a type zod expected is named to a client writing JSON.
const TYPE_NAMES: Readonly<Record<string, string>> = {
  int: 'a whole number',
  number: 'a finite number',
  string: 'a string',
  boolean: 'true or false',
  array: 'an array',
  object: 'a JSON object',
  record: 'a JSON object',
}

function describe(issue: z.core.$ZodIssue, missing: boolean): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}; remove them or move them into metadata`
  }
  if (issue.code === 'invalid_type' && missing) {
    // The field's own wording names what it takes ("must be a whole number of tokens"); zod's names the type.
    const own = issue.message.startsWith('must be ') ? issue.message.slice('must be '.length) : undefined
    return `is required (${own ?? TYPE_NAMES[issue.expected] ?? issue.expected})`
  }
  if (issue.code === 'invalid_value' && missing)
    return `is required (one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')})`
  if (isSafeIntegerLimit(issue)) {
    return `must be at most ${Number.MAX_SAFE_INTEGER}, the largest whole number a JSON number holds exactly`
  }
  // The schema's own wording says how to fix it; zod's default ("Invalid input: expected int…") does not.
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`
  }
  return issue.message
}

/** A span of time as a person writes it: `2 minutes`, `90 seconds`, `1 day`. */
function describeSpan(ms: number): string {
  const units: ReadonlyArray<[string, number]> = [
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
    ['second', 1_000],
  ]
  for (const [unit, size] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}${ms === size ? '' : 's'}`
  }
  return `${ms} ms`
}

function isSafeIntegerLimit(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'too_big' && issue.origin === 'int' && issue.maximum === Number.MAX_SAFE_INTEGER
}

// A number past 2^53 breaks both the safe-integer limit zod adds to every integer and the field's own
// maximum: the field's own limit is the one to report.
function withoutSafeIntegerDoubles(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const otherwiseReported = new Set(
    issues.filter((issue) => !isSafeIntegerLimit(issue)).map((issue) => issue.path.join('.')),
  )
  return issues.filter((issue) => !isSafeIntegerLimit(issue) || !otherwiseReported.has(issue.path.join('.')))
}

/**
 * Validates every event of a batch independently and reports each problem with the event's index,
 * the field path and how to fix it. A second event with the same idempotency key is rejected.
 */
export function validateEventBatch(events: readonly unknown[], options: ValidateEventBatchOptions) {
  const maxTimestampMs = options.nowMs + (options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS)
  const minTimestampMs = options.minTimestampMs ?? EARLIEST_EVENT_TIMESTAMP_MS
  const valid: ValidEvent[] = []
  const errors: EventError[] = []
  const seenKeys = new Map<string, number>()
  const checkText = options.mayHoldUnstorableText ?? true

  events.forEach((raw, index) => {
    const wellFormed = parseWellFormedEvent(raw)
    const parsed = wellFormed
      ? { success: true as const, data: wellFormed }
      : llmCallEventSchema.safeParse(raw)
    if (!parsed.success) {
      const reported = new Set<string>()
      for (const issue of withoutSafeIntegerDoubles(parsed.error.issues)) {
        const path = issue.path.join('.')
        // One problem per field.
        if (reported.has(path)) continue
        reported.add(path)
        const missing = valueAt(raw, issue.path) === undefined
        errors.push({
          index,
          path,
          code: codeOf(issue, missing),
          message: describe(issue, missing),
        })
      }
      return
    }
    const event = parsed.data
    const unstorablePath = checkText ? findUnstorableText(event) : undefined
    if (unstorablePath !== undefined) {
      errors.push({
        index,
        path: unstorablePath,
        code: 'INVALID_VALUE',
        message: 'contains a NUL character or an unpaired surrogate, which cannot be stored; remove it',
      })
      return
    }
    const timestampMs = Date.parse(event.timestamp)
    if (timestampMs > maxTimestampMs) {
      errors.push({
        index,
        path: 'timestamp',
        code: 'TIMESTAMP_IN_FUTURE',
        message: `is more than ${describeSpan(maxTimestampMs - options.nowMs)} in the future; check the client's clock and time zone`,
      })
      return
    }
    if (timestampMs < minTimestampMs) {
      errors.push({
        index,
        path: 'timestamp',
        code: 'TIMESTAMP_TOO_OLD',
        message: `is before ${new Date(minTimestampMs).toISOString()}; check the client's clock and the timestamp's units`,
      })
      return
    }
    if (options.retentionCutoffMs !== undefined && timestampMs < options.retentionCutoffMs) {
      errors.push({
        index,
        path: 'timestamp',
        code: 'TIMESTAMP_TOO_OLD',
        message: `is before ${new Date(options.retentionCutoffMs).toISOString()}: retention already deleted this project's raw calls before then and keeps only their daily totals, which a late call cannot join; send calls from that time on (raising the retention days keeps more from now on, but does not reopen that time)`,
      })
      return
    }
    // Derived from the time as the client wrote it, as it always was: a resend must find the same key.
    const idempotencyKey = deriveIdempotencyKey(event)
    // Stored in UTC to the microsecond, whatever offset and precision the client wrote.
    event.timestamp = toUtcTimestamp(event.timestamp)
    const refusal = options.finalCheck?.(event, index)
    if (refusal) {
      errors.push({ index, ...refusal })
      return
    }
    if (idempotencyKey !== undefined) {
      const firstIndex = seenKeys.get(idempotencyKey)
      if (firstIndex !== undefined) {
        errors.push({
          index,
          path: event.idempotencyKey ? 'idempotencyKey' : 'messageId',
          code: 'DUPLICATE_IN_BATCH',
          message: `repeats the idempotency key of event ${firstIndex} in the same batch; give each event its own key`,
        })
        return
      }
      seenKeys.set(idempotencyKey, index)
    }
    valid.push({ index, event, idempotencyKey, timestampMs })
  })

  return { valid, errors }
}
