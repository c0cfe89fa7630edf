const marker = Symbol.for('ai-cost-profiler.sdk.error')

/** Stable codes for everything the profiler reports through `onError`; it never throws them at callers. */
export type ProfilerErrorCode =
  | 'INVALID_OPTIONS'
  | 'INVALID_CONTEXT'
  | 'PROFILER_DISABLED'
  | 'UNSUPPORTED_CLIENT'
  | 'UNEXPECTED_RESPONSE'
  | 'INTERNAL_ERROR'
  | 'EVENTS_DROPPED'
  | 'EVENTS_DROPPED_AT_EXIT'
  | 'EVENTS_REJECTED'
  | 'EVENTS_UNCONFIRMED'
  | 'CIRCUIT_OPEN'
  | 'SHUTDOWN_TIMEOUT'

/** Details that come with some codes, so a handler does not have to parse the message. */
export interface ProfilerErrorDetails {
  /**
   * How many events this problem cost (`EVENTS_DROPPED`, `EVENTS_DROPPED_AT_EXIT`, `EVENTS_REJECTED`,
   * `EVENTS_UNCONFIRMED`, `SHUTDOWN_TIMEOUT`).
   */
  droppedEvents?: number
  /** The ingest server's HTTP status, when it answered. */
  httpStatus?: number
}

/** The one error root of the SDK; `code` is stable, `message` is for people. */
export class ProfilerError extends Error {
  readonly code: ProfilerErrorCode
  readonly droppedEvents: number | undefined
  readonly httpStatus: number | undefined
  readonly [marker] = true

  constructor(
    code: ProfilerErrorCode,
    message: string,
    options?: ProfilerErrorDetails & { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ProfilerError'
    this.code = code
    this.droppedEvents = options?.droppedEvents
    this.httpStatus = options?.httpStatus
  }

  /** True for any ProfilerError, even one from another copy of this package. */
  static isInstance(value: unknown): value is ProfilerError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true
  }
}
