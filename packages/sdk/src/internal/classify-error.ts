import {
  type CallError,
  type ErrorType,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_ID_LENGTH,
} from '@ai-cost-profiler/core'
import { storableText } from './storable-text.ts'

type ErrorLike = Record<string, unknown>

function asRecord(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : undefined
}

function isHttpStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599
}

function parseJsonObject(text: string): ErrorLike | undefined {
  const start = text.indexOf('{')
  if (start < 0) return undefined
  try {
    return asRecord(JSON.parse(text.slice(start)))
  } catch {
    return undefined
  }
}

/** The HTTP status of a provider error, wherever its SDK put it. */
function readHttpStatus(error: ErrorLike, message: string): number | undefined {
  for (const candidate of [
    error.status,
    error.statusCode,
    asRecord(error.response)?.status,
    // Vertex AI keeps the API error (with its numeric code) as the cause.
    asRecord(error.stackTrace)?.code,
    asRecord(error.cause)?.status,
  ]) {
    if (isHttpStatus(candidate)) return candidate
  }
  // Vertex AI ("got status: 429 Too Many Requests") and @google/generative-ai ("[429 Too Many
  // Requests]") only put the status in the message for some errors.
  const match = /got status: (\d{3})\b/.exec(message) ?? /\[(\d{3}) [^\]]*\]/.exec(message)
  const status = match ? Number(match[1]) : undefined
  return isHttpStatus(status) ? status : undefined
}

// The google.rpc code of each HTTP status Google's APIs answer with only one code (400, 409 and 500
// each stand for several).
const GOOGLE_CODE_BY_STATUS: Readonly<Record<number, string>> = {
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
}

/**
 * The code of a @google/generative-ai HTTP error, which keeps the answer's status but drops its
 * body's `status` (`RESOURCE_EXHAUSTED`): the one Google pairs with that status, where there is one.
 */
function generativeAiFetchCode(error: ErrorLike): string | undefined {
  if (errorName(error) !== 'GoogleGenerativeAIFetchError' || typeof error.status !== 'number')
    return undefined
  return GOOGLE_CODE_BY_STATUS[error.status]
}

/** The provider's own error code: OpenAI `code`, Anthropic `errorCode`/`type`, Google `status`. */
function readProviderCode(error: ErrorLike, message: string): string | undefined {
  const googleBody = asRecord(parseJsonObject(message)?.error)
  for (const candidate of [
    error.errorCode,
    typeof error.code === 'string' ? error.code : undefined,
    error.type,
    asRecord(error.stackTrace)?.status,
    googleBody?.status,
    generativeAiFetchCode(error),
    errorInfoReason(error.errorDetails),
  ]) {
    if (typeof candidate === 'string' && candidate !== '') return storableText(candidate, MAX_ID_LENGTH)
  }
  return undefined
}

/**
 * The reason of a Google `ErrorInfo` detail (`API_KEY_INVALID`): all @google/generative-ai keeps of
 * the error body besides the message, which loses the body's `status`.
 */
function errorInfoReason(details: unknown): string | undefined {
  if (!Array.isArray(details)) return undefined
  for (const detail of details) {
    const reason = asRecord(detail)?.reason
    if (typeof reason === 'string') return reason
  }
  return undefined
}

function errorName(error: ErrorLike): string {
  const constructorName = (error.constructor as { name?: unknown } | undefined)?.name
  const name = typeof error.name === 'string' && error.name !== 'Error' ? error.name : undefined
  return name ?? (typeof constructorName === 'string' ? constructorName : '')
}

// Providers report an over-long prompt as a plain 400; only the wording tells it apart, so these
// provider messages are matched (OpenAI-compatible, Anthropic and Gemini wordings).
const CONTEXT_LENGTH_CODES = new Set(['context_length_exceeded', 'string_above_max_length'])
const CONTEXT_LENGTH_MESSAGE =
  /prompt is too long|context[ _]length|exceed context limit|context window|maximum context|input token count.*(exceeds|but model only supports)|exceeds the maximum number of tokens/i
// Google answers a bad API key with a plain 400 INVALID_ARGUMENT; its ErrorInfo reason (in the message of
// both Gemini SDKs) says it is the key.
const BAD_API_KEY_MESSAGE = /\bAPI_KEY_(INVALID|EXPIRED)\b|\bAPI key (not valid|expired)/i

// Errors that arrive inside a stream (or a failed Responses API response) carry a code but no status.
const TYPE_BY_CODE: Readonly<Record<string, ErrorType>> = {
  rate_limit_error: 'rate_limit',
  rate_limit_exceeded: 'rate_limit',
  // The Responses API's error event has been seen with this code (and no status) when rate limited.
  too_many_requests: 'rate_limit',
  RESOURCE_EXHAUSTED: 'rate_limit',
  overloaded_error: 'overloaded',
  UNAVAILABLE: 'overloaded',
  api_error: 'server_error',
  server_error: 'server_error',
  INTERNAL: 'server_error',
  invalid_request_error: 'invalid_request',
  invalid_prompt: 'invalid_request',
  INVALID_ARGUMENT: 'invalid_request',
  authentication_error: 'authentication',
  UNAUTHENTICATED: 'authentication',
  permission_error: 'permission',
  PERMISSION_DENIED: 'permission',
  not_found_error: 'not_found',
  NOT_FOUND: 'not_found',
  DEADLINE_EXCEEDED: 'timeout',
}

function typeFromStatus(status: number): ErrorType {
  if (status === 401) return 'authentication'
  if (status === 403) return 'permission'
  if (status === 404) return 'not_found'
  if (status === 408 || status === 504) return 'timeout'
  if (status === 429) return 'rate_limit'
  if (status === 499) return 'aborted'
  // 529 is Anthropic's "overloaded"; 503 is how OpenAI and Google say the same.
  if (status === 503 || status === 529) return 'overloaded'
  if (status >= 500) return 'server_error'
  return 'invalid_request'
}

// Socket, undici and TLS error codes (`ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`, `DEPTH_ZERO_SELF_SIGNED_CERT`,
// `ERR_TLS_CERT_ALTNAME_INVALID`, …), as opposed to providers' codes.
const SYSTEM_ERROR_CODE =
  /^(E[A-Z]+|UND_ERR_[A-Z_]+|ERR_(TLS|SSL)_[A-Z_]+|[A-Z_]*(CERT|SELF_SIGNED)[A-Z_]*|UNABLE_TO_[A-Z_]+)$/

/**
 * The error and what it wraps, outermost first: `cause`, or `stackTrace` where Vertex AI keeps the
 * error it caught (a `TypeError("fetch failed")` with the socket error as its own cause).
 */
function causeChain(error: ErrorLike): ErrorLike[] {
  const chain = [error]
  for (let link = error; chain.length < 5; ) {
    const next = asRecord(link.cause) ?? asRecord(link.stackTrace)
    if (!next || chain.includes(next)) break
    chain.push(next)
    link = next
  }
  return chain
}

function typeFromChain(chain: readonly ErrorLike[], message: string): ErrorType | undefined {
  for (const link of chain) {
    const name = errorName(link)
    if (/UserAbort|AbortError/.test(name)) return 'aborted'
    if (/Timeout/.test(name)) return 'timeout'
    if (/ConnectionError/.test(name)) return 'connection'
    if (typeof link.code === 'string' && SYSTEM_ERROR_CODE.test(link.code)) {
      return /TIMEOUT/i.test(link.code) ? 'timeout' : 'connection'
    }
  }
  // @google/generative-ai keeps only the message of undici's "fetch failed"; Vertex AI keeps that error
  // as its `stackTrace`, its cause not always a system error.
  const fetchFailed = chain.some((link) => /\bfetch failed\b/.test(String(link.message ?? '')))
  return fetchFailed || /\bfetch failed\b/.test(message) ? 'connection' : undefined
}

/**
 * Classifies an error thrown by a provider SDK into the profiler's error types, with the HTTP status
 * and provider code when known. Reads fields by name so no provider SDK has to be loaded.
 */
export function classifyError(error: unknown): CallError {
  try {
    return classify(error)
  } catch {
    // Fields that throw when read (a getter, a revoked proxy) tell nothing; the call is still recorded.
    return { type: 'unknown' }
  }
}

function classify(error: unknown): CallError {
  const record = asRecord(error) ?? {}
  const message = typeof record.message === 'string' ? record.message : String(error)
  const tokenFailure = errorName(record) === 'GoogleAuthError'
  // @google-cloud/vertexai got no access token: a status it carries is the token endpoint's, not the call's.
  const httpStatus = tokenFailure ? undefined : readHttpStatus(record, message)
  const code = readProviderCode(record, message)
  let type: ErrorType
  if (tokenFailure) {
    // Nothing reached the model: the token endpoint could not be reached, did not answer in time (its
    // HTTP client says "network timeout" in a message down the chain), or refused the credentials.
    const chain = causeChain(record)
    const timedOut = chain.some((link) =>
      /\btimeout\b/i.test(typeof link.message === 'string' ? link.message : ''),
    )
    type = timedOut ? 'timeout' : (typeFromChain(chain, message) ?? 'authentication')
  } else if (
    (code && CONTEXT_LENGTH_CODES.has(code)) ||
    (httpStatus === 400 && CONTEXT_LENGTH_MESSAGE.test(message))
  ) {
    type = 'context_length'
  } else if ((httpStatus === 400 || httpStatus === undefined) && BAD_API_KEY_MESSAGE.test(message)) {
    type = 'authentication'
  } else if (code === 'overloaded_error') {
    // Anthropic reports overload as 529, but also as an error event inside a 200 stream.
    type = 'overloaded'
  } else if (httpStatus !== undefined) {
    type = typeFromStatus(httpStatus)
  } else {
    type = typeFromChain(causeChain(record), message) ?? (code ? TYPE_BY_CODE[code] : undefined) ?? 'unknown'
  }

  const callError: CallError = { type }
  if (code !== undefined) callError.code = code
  if (httpStatus !== undefined) callError.httpStatus = httpStatus
  if (message !== '') callError.message = storableText(message, MAX_ERROR_MESSAGE_LENGTH)
  return callError
}
