import type { LlmCallEventInput } from '@ai-cost-profiler/core'
import type { Compression } from '../../profiler-options.ts'
import { storableText } from '../storable-text.ts'
import type { PostAnswer } from './body-poster.ts'
import type { BodySender } from './body-sender.ts'
import { parseRetryAfterMs } from './retry-delay.ts'
import { EVENTS_PER_TURN, yieldToEventLoop } from './yield-to-event-loop.ts'

/** One event the server refused, as the ingest API reports it. */
export interface EventRejection {
  index: number
  path: string
  code: string
  message: string
}

/**
 * What happened to one batch. `retry` batches go back to the queue; `rejected` ones are dropped (with
 * the server's reason for each event, when it gave them); `unrecognized` ones too: a 2xx answer that is
 * not the ingest API's means the endpoint is some other server, and resending cannot help.
 * `inconsistent` is the ingest API's 2xx whose counts do not add up to the batch: its events are split
 * so that each is counted once (see `settleInconsistentCounts`), and the answer is reported.
 */
export type SendOutcome =
  | { kind: 'delivered'; accepted: number; duplicates: number; rejections: EventRejection[] }
  | {
      kind: 'inconsistent'
      httpStatus: number
      accepted: number
      duplicates: number
      refused: number
      rejections: EventRejection[]
      message: string
    }
  | { kind: 'rejected'; httpStatus: number; message: string; rejections: EventRejection[] }
  | { kind: 'unrecognized'; httpStatus: number; message: string }
  | { kind: 'retry'; httpStatus: number | undefined; retryAfterMs: number | undefined; message: string }

/** Options of `sendBatch`. */
export interface SendBatchOptions {
  endpoint: string
  apiKey: string
  events: readonly LlmCallEventInput[]
  /** `'gzip'`: the body is compressed where it is sent from, and sent with `Content-Encoding: gzip`. */
  compression: Compression
  sender: BodySender
  timeoutMs: number
  /** Longest `Retry-After` honoured. */
  maxRetryAfterMs: number
  /** Abandons the send. */
  signal?: AbortSignal | undefined
}

const USER_AGENT = 'ai-cost-profiler-sdk'

function readNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

function readErrorMessage(payload: Record<string, unknown> | undefined, answer: PostAnswer): string {
  const message = asRecord(payload?.error)?.message
  if (typeof message === 'string') return message
  // Not the API's JSON error shape (e.g. a proxy's HTML page): the raw text.
  return storableText(answer.text, 500) || answer.statusMessage
}

// Redirects followed for one batch before its answer counts as final.
const MAX_REDIRECTS = 3

/** Where a 307 or 308 answer sends the request, resolved against the URL that answered. */
function redirectTarget(answer: PostAnswer, from: URL): URL | undefined {
  if ((answer.status !== 307 && answer.status !== 308) || !answer.location) return undefined
  return URL.canParse(answer.location, from.href) ? new URL(answer.location, from) : undefined
}

// 4xx answers about the batch itself (malformed, too large, encoded in a way not taken): the endpoint
// is right. Any other (404 above all) means the events went to the wrong place, or with the wrong key.
const BATCH_STATUSES = new Set([400, 413, 415, 422])

/** A 4xx answer that is not about the batch, as `describeMisdirected` reads it. */
interface MisdirectedAnswer {
  status: number
  serverMessage: string
  /** Where the batch was posted (after any redirect followed). */
  url: URL
  endpoint: string
}

/**
 * What a 4xx answer that is not about the batch says, with the URL the batch was posted to and what to
 * change: most often an endpoint given with the API's path (`…/v1`), which makes it `/v1/v1/events`.
 */
function describeMisdirected({ status, serverMessage, url, endpoint }: MisdirectedAnswer): string {
  const answered = `${url.href} answered ${JSON.stringify(serverMessage)}`
  if (status === 401 || status === 403) {
    return `${answered}; check the apiKey option (ACP_API_KEY), a key of that server's project, and that the endpoint option (ACP_ENDPOINT) is that server's base URL`
  }
  const base = endpoint.replace(/\/v1(?:\/events)?$/, '')
  const suggestion = base !== endpoint && base !== '' ? `; here that is ${base}` : ''
  return `${answered}; check the endpoint option (ACP_ENDPOINT): it must be the server's base URL, such as http://127.0.0.1:4000, without /v1/events (the SDK adds that)${suggestion}`
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function readRejections(value: unknown): EventRejection[] {
  if (!Array.isArray(value)) return []
  return value.map((entry) => {
    const fields = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>
    return {
      index: readNumber(fields.index) ?? -1,
      path: typeof fields.path === 'string' ? fields.path : '',
      code: typeof fields.code === 'string' ? fields.code : 'UNKNOWN',
      message: typeof fields.message === 'string' ? fields.message : '',
    }
  })
}

/**
 * Checks a 2xx answer's counts against the batch: the ingest API answers accepted + duplicates + the
 * events it refused (each listed once or more, by index) = the events sent. An answer that does not
 * (a proxy or a non-conforming server rewriting it) would make events vanish from `stats()`, or count
 * events never sent. Its events are then counted once each: those it refused by a valid index as
 * refused, the rest as stored, but for its duplicates that fit beside its accepted ones. A 2xx means the
 * server took the batch, so they were most likely stored; they are not resent, since a server that
 * answers this way would answer a resend the same and the batch would never leave the queue (a resend
 * would be stored once, by its idempotency keys, but could not be confirmed either).
 */
function settleInconsistentCounts(
  batchSize: number,
  accepted: number,
  duplicates: number,
  rejections: readonly EventRejection[],
): { accepted: number; duplicates: number; refused: number; problem: string } | undefined {
  const inRange = rejections.filter((rejection) => rejection.index >= 0 && rejection.index < batchSize)
  // An event refused for several fields is listed once per field: counted once.
  const refused = new Set(inRange.map((rejection) => rejection.index)).size
  const outOfRange = rejections.length - inRange.length
  if (outOfRange === 0 && accepted + duplicates + refused === batchSize) return undefined
  const rest = batchSize - refused
  const counted = Math.min(duplicates, Math.max(0, rest - accepted))
  const problem =
    outOfRange > 0
      ? `${outOfRange} of its errors name no event of the batch (an index missing or outside 0-${batchSize - 1})`
      : `accepted ${accepted} + duplicates ${duplicates} + ${refused} refused is not the ${batchSize} sent`
  return { accepted: rest - counted, duplicates: counted, refused, problem }
}

/**
 * One event as JSON. Metadata is frozen as JSON when a call ends, so this cannot fail; if it ever
 * did, the event goes without its metadata rather than failing its whole batch on every retry.
 */
function serializeEvent(event: LlmCallEventInput): string {
  try {
    return JSON.stringify(event)
  } catch {
    return JSON.stringify({ ...event, metadata: undefined })
  }
}

/**
 * The batch body, `{"events":[…]}`, serialised a few events per turn of the event loop, so a large
 * batch never holds the loop for long; the text is the same as one `JSON.stringify` of the body.
 */
export async function serializeBatch(events: readonly LlmCallEventInput[]): Promise<string> {
  const parts = new Array<string>(events.length)
  for (let index = 0; index < events.length; index++) {
    if (index > 0 && index % EVENTS_PER_TURN === 0) await yieldToEventLoop()
    parts[index] = serializeEvent(events[index] as LlmCallEventInput)
  }
  return `{"events":[${parts.join(',')}]}`
}

/**
 * POSTs one batch (gzip-compressed when asked) to `${endpoint}/v1/events` and classifies the answer: 2xx (200, 207) is
 * delivered (207 lists refused events) when it is the ingest API's JSON, and unrecognized otherwise;
 * 408/429/5xx and network failures are retried, other 4xx are final (retrying an unauthorised or
 * malformed batch cannot succeed). A 307 or 308 to the same origin is followed; any other redirect is
 * final, with a message that says to change the endpoint.
 */
export async function sendBatch(options: SendBatchOptions): Promise<SendOutcome> {
  let answer: PostAnswer
  let url = new URL(`${options.endpoint}/v1/events`)
  try {
    const body = await serializeBatch(options.events)
    // Handing the body over (or, from the loop, compressing it) gets a turn of its own rather than
    // following the last serialised events.
    await yieldToEventLoop()
    const gzip = options.compression === 'gzip'
    for (let redirects = 0; ; redirects++) {
      answer = await options.sender.post(
        {
          url: url.href,
          headers: {
            Authorization: `Bearer ${options.apiKey}`,
            'Content-Type': 'application/json',
            ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
            'User-Agent': USER_AGENT,
          },
          body,
          gzip,
          timeoutMs: options.timeoutMs,
        },
        options.signal,
      )
      // 307 and 308 ask for the same POST elsewhere (a proxy moving http to https, say); the key goes
      // along only to the same origin, as a browser's fetch would send it.
      const target = redirectTarget(answer, url)
      if (!target || redirects >= MAX_REDIRECTS || target.origin !== url.origin) break
      url = target
    }
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    return { kind: 'retry', httpStatus: undefined, retryAfterMs: undefined, message: reason }
  }

  // The answer came in this turn (parsed by Node's HTTP client, when it sends from the loop); reading it
  // and settling the batch go in the next.
  await yieldToEventLoop()
  const { status } = answer
  const payload = asRecord(parseJson(answer.text))
  if (status >= 200 && status < 300) {
    // The ingest API always answers a 2xx with its counts; anything else (a web app's HTML page, a
    // proxy's default answer) means the events went somewhere that did not store them.
    const accepted = readNumber(payload?.accepted)
    if (accepted === undefined) {
      return {
        kind: 'unrecognized',
        httpStatus: status,
        message: `${options.endpoint}/v1/events answered HTTP ${status} with something other than the ingest API's JSON: the endpoint does not look like an AI Cost Profiler server; check the endpoint option (ACP_ENDPOINT)`,
      }
    }
    const rejections = readRejections(payload?.errors)
    const duplicates = readNumber(payload?.duplicates) ?? 0
    const settled = settleInconsistentCounts(options.events.length, accepted, duplicates, rejections)
    if (settled === undefined) return { kind: 'delivered', accepted, duplicates, rejections }
    const { problem, ...counts } = settled
    return {
      kind: 'inconsistent',
      httpStatus: status,
      ...counts,
      rejections,
      message: `${options.endpoint}/v1/events answered HTTP ${status} for ${options.events.length} event(s) with counts that do not add up (${problem}): the server took the batch, so it is not resent; ${counts.accepted} counted as sent, ${counts.duplicates} as duplicates and ${counts.refused} as dropped (refused). Check that the endpoint is an AI Cost Profiler server and that no proxy rewrites its answers`,
    }
  }
  if (status >= 300 && status < 400) {
    const target = answer.location ? ` to ${answer.location}` : ''
    return {
      kind: 'rejected',
      httpStatus: status,
      message: `the endpoint redirects${target}; set the profiler's endpoint (ACP_ENDPOINT) to the address the events should reach`,
      rejections: [],
    }
  }
  const message = readErrorMessage(payload, answer)
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfterMs(answer.retryAfter ?? null, Date.now(), options.maxRetryAfterMs)
    return { kind: 'retry', httpStatus: status, retryAfterMs, message }
  }
  // A batch refused whole (400 INVALID_EVENTS) lists each event's reason in `errors`, as a 207 does.
  const rejections = readRejections(payload?.errors ?? asRecord(payload?.error)?.details)
  if (BATCH_STATUSES.has(status)) return { kind: 'rejected', httpStatus: status, message, rejections }
  return {
    kind: 'rejected',
    httpStatus: status,
    message: describeMisdirected({ status, serverMessage: message, url, endpoint: options.endpoint }),
    rejections,
  }
}
