import type { CallTracker } from '../call-tracker.ts'
import type { ErrorReporter } from '../error-reporter.ts'
import { type IterationObserver, observeAsyncIterator } from '../observe-async-iterator.ts'
import { runSafely } from '../run-safely.ts'
import type { WrapSession } from '../wrap-session.ts'
import { observeSseResponseBody } from './observe-sse-body.ts'

/** The parts of the `APIPromise` of Stainless-generated SDKs (OpenAI, Anthropic) the profiler relies on. */
export interface StainlessApiPromise {
  asResponse(): Promise<unknown>
  _thenUnwrap(transform: (data: unknown) => unknown): unknown
}

/** The parts of a Stainless `Stream` the profiler relies on. */
export interface StainlessStream {
  controller: AbortController
  [Symbol.asyncIterator](): AsyncIterator<unknown>
}

/** True when `value` has the `APIPromise` methods the profiler needs. */
export function isStainlessApiPromise(value: unknown): value is StainlessApiPromise {
  const candidate = value as Partial<StainlessApiPromise> | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.asResponse === 'function' &&
    typeof candidate._thenUnwrap === 'function'
  )
}

/**
 * The fields of a Stainless `APIPromise` that parse its response: `then()`, `withResponse()` and the
 * `_thenUnwrap()` of the SDKs' helpers all read the body through `this.parseResponse`.
 */
interface ParsingApiPromise {
  responsePromise: PromiseLike<unknown>
  parseResponse: (client: unknown, props: unknown) => unknown
}

function isParsingApiPromise(value: object): value is ParsingApiPromise {
  const candidate = value as Partial<ParsingApiPromise>
  const { responsePromise } = candidate
  return (
    typeof candidate.parseResponse === 'function' &&
    Object.hasOwn(candidate, 'parseResponse') &&
    typeof responsePromise === 'object' &&
    responsePromise !== null &&
    typeof responsePromise.then === 'function'
  )
}

/** Sees the parsed result of a call and returns what the caller gets (a stream may be replaced by an observed copy). */
export interface ParsedResultObserver<Plan> {
  onData(data: unknown, tracker: CallTracker, plan: Plan): unknown
  /**
   * Watches the events of a streamed response that the SDK itself parses outside the call, from the
   * promise's `_responseProps()` (Anthropic's message threads and their tool runner).
   */
  observeRawStream?(tracker: CallTracker, isAborted: () => boolean): IterationObserver<unknown>
}

/** The fields of a Stainless response's props the profiler reads. */
interface ResponseProps {
  response?: unknown
  controller?: unknown
}

/**
 * Observes the raw streamed response a caller of `_responseProps()` parses itself: `parseResponse`
 * never runs for it, so without this the call would never end. Only a stream is observed this way;
 * a JSON answer taken so is awaited through the promise too (`send()` of a thread), which records it.
 */
function observeResponseProps<Plan>(
  promise: object,
  tracker: CallTracker,
  reporter: ErrorReporter,
  observer: ParsedResultObserver<Plan>,
): void {
  const observeRawStream = observer.observeRawStream
  // Only a streamed call's response is parsed this way; other calls pay nothing for it.
  if (observeRawStream === undefined || !tracker.streaming) return
  const holder = promise as { _responseProps?: unknown }
  const responseProps = holder._responseProps
  if (typeof responseProps !== 'function') return
  let observed = false
  holder._responseProps = function (this: unknown, ...args: unknown[]) {
    return Promise.resolve(responseProps.apply(this, args)).then((props: ResponseProps) => {
      runSafely(reporter, 'observing a raw stream', () => {
        if (observed || tracker.isFinished) return
        if (!(props?.response instanceof Response)) return
        observed = true
        const controller = props.controller instanceof AbortController ? props.controller : undefined
        const watcher = observeRawStream(tracker, () => controller?.signal.aborted === true)
        // As for a stream the SDK parses in the call: the time before its first read is not the call's.
        observeSseResponseBody(props.response, watcher, reporter, () => tracker.markBodyRead())
      })
      return props
    })
  }
}

/** Records a failed request; runs in a promise handler, so it must never throw (see `runSafely`). */
function recordFailure(tracker: CallTracker, reporter: ErrorReporter, error: unknown): void {
  runSafely(reporter, 'recording a failed request', () => tracker.finish({ status: 'error', error }))
}

function observeParsed<Plan>(
  data: unknown,
  tracker: CallTracker,
  reporter: ErrorReporter,
  observer: ParsedResultObserver<Plan>,
  plan: Plan,
): unknown {
  if (tracker.isFinished) return data
  if (typeof data !== 'object' || data === null) {
    // The SDK hands over the text of an answer that is not JSON (a proxy's HTML page, say): the
    // recorded endpoints answer a JSON object or a stream, so the call did not succeed.
    const error = new Error(
      `the 200 answer was not a JSON object but ${typeof data === 'string' ? 'text' : String(data)}`,
    )
    recordFailure(tracker, reporter, error)
    return data
  }
  try {
    return observer.onData(data, tracker, plan)
  } catch (error) {
    reporter.reportInternal('recording a response', error)
    return data
  }
}

/**
 * Observes a Stainless `APIPromise` and returns it, the very object the method returned: a failed
 * request is recorded from its response promise (reading it consumes nothing), a parsed result by
 * wrapping the promise's own `parseResponse`, through which `then()`, `withResponse()` and the
 * helpers' `_thenUnwrap()` read the body. Nothing else of the promise changes, so the caller gets
 * exactly what the unwrapped client returns. A promise without those fields is observed with
 * `observeApiPromise`.
 */
export function observeApiPromiseInPlace<Plan>(
  promise: StainlessApiPromise,
  tracker: CallTracker,
  reporter: ErrorReporter,
  observer: ParsedResultObserver<Plan>,
  plan: Plan,
): unknown {
  if (!isParsingApiPromise(promise)) {
    return observeApiPromise({
      promise,
      tracker,
      reporter,
      onData: (data) => observer.onData(data, tracker, plan),
    })
  }
  promise.responsePromise.then(
    () => tracker.markResponded(),
    (error: unknown) => recordFailure(tracker, reporter, error),
  )
  observeResponseProps(promise, tracker, reporter, observer)
  const parseResponse = promise.parseResponse
  promise.parseResponse = function (this: unknown, client: unknown, props: unknown) {
    // The SDK reads the body only when the caller first awaits: the time before is not the call's. A
    // stream's body is read later still, when its caller first pulls from it (see observeStainlessStream).
    if (!tracker.streaming) tracker.markBodyRead()
    return Promise.resolve(parseResponse.call(this, client, props)).then(
      (data) => {
        // A streamed call answered with anything but a stream has been read by now (any other call was
        // marked as its body was read).
        if (tracker.streaming && !isStainlessStream(data)) tracker.markBodyRead()
        return observeParsed(data, tracker, reporter, observer, plan)
      },
      (error: unknown) => {
        tracker.markBodyRead()
        // The status line came, then the body broke off or was not the JSON it should be.
        recordFailure(tracker, reporter, error)
        throw error
      },
    )
  }
  return promise
}

/** True when `value` looks like a Stainless `Stream`. */
export function isStainlessStream(value: unknown): value is StainlessStream {
  const candidate = value as Partial<StainlessStream> | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.controller instanceof AbortController &&
    typeof candidate[Symbol.asyncIterator] === 'function'
  )
}

/** Options of `observeApiPromise`. */
export interface ObserveApiPromiseOptions {
  promise: StainlessApiPromise
  tracker: CallTracker
  reporter: ErrorReporter
  /** Records a parsed result and returns what the caller gets (a stream may be replaced by an observed copy). */
  onData: (data: unknown) => unknown
}

/**
 * Observes a Stainless `APIPromise` without changing it for the caller: a failed request is recorded
 * from the response promise (reading it consumes nothing), a parsed result through `_thenUnwrap`, which
 * returns an `APIPromise` again, so `withResponse()`, `asResponse()` and `_request_id` keep working.
 */
export function observeApiPromise(options: ObserveApiPromiseOptions): unknown {
  const { promise, tracker, reporter } = options
  promise.asResponse().then(
    () => tracker.markResponded(),
    (error: unknown) => recordFailure(tracker, reporter, error),
  )
  const observer: ParsedResultObserver<undefined> = { onData: (data) => options.onData(data) }
  return promise._thenUnwrap((data) => observeParsed(data, tracker, reporter, observer, undefined))
}

/**
 * Returns a `Stream` of the same class that yields the same items while `observer` watches them. The
 * copy is built from an iterator, like the SDK builds its own, so `tee()`, `toReadableStream()`,
 * `controller.abort()` and `break` behave as on the original. The call's body counts as read when the
 * caller first pulls from the stream: the response was there, waiting, before that.
 */
export function observeStainlessStream(
  stream: StainlessStream,
  observer: IterationObserver<unknown>,
  options: { client: object; session: WrapSession; tracker: CallTracker },
): unknown {
  const StreamClass = stream.constructor as new (
    iterator: () => AsyncIterator<unknown>,
    controller: AbortController,
    client?: object,
  ) => unknown
  let iterated = false
  const { signal } = stream.controller
  // Aborted before its first read (the caller's signal, or `controller.abort()`): the request was
  // answered, so billed, and no read will ever tell the observer. It hears of the stop now, and a
  // later read gets the SDK's own aborted stream, as it would unwrapped.
  const onAbortUnread = () => {
    if (iterated) return
    iterated = true
    options.tracker.markBodyRead()
    runSafely(options.session.reporter, 'observing a stream (cancel)', () => observer.onCancel())
  }
  if (signal.aborted) onAbortUnread()
  else signal.addEventListener('abort', onAbortUnread, { once: true })
  const observed = new StreamClass(
    () => {
      // Only the first iteration is observed; a second one fails in the SDK ("consumed stream") as it would unwrapped.
      if (iterated) return stream[Symbol.asyncIterator]()
      iterated = true
      signal.removeEventListener('abort', onAbortUnread)
      return observeAsyncIterator(stream[Symbol.asyncIterator](), observer, options.session.reporter, {
        abort: () => stream.controller.abort(),
        signal: stream.controller.signal,
        onFinishingLater: (work) => options.session.trackFinishing(work),
        onFirstRead: () => options.tracker.markBodyRead(),
      })
    },
    stream.controller,
    options.client,
  )
  return isStainlessStream(observed) ? observed : stream
}
