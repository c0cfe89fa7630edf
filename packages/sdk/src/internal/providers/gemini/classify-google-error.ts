import type { CallError } from '@ai-cost-profiler/core'
import { classifyError } from '../../classify-error.ts'

// @google/generative-ai's only word for a stream whose connection failed part-way (its cause dropped).
const STREAM_READ_FAILURE = /\bError reading from the stream\b/

/**
 * Classifies an error of a Google SDK call. Those SDKs enforce their `timeout` by aborting their own
 * request, which fails like a caller's abort; an abort the caller's signal did not make is the timeout.
 * A failure the SDK did not explain after the caller's signal aborted is that abort:
 * @google/generative-ai reports an abort part-way through a stream as a plain "Error reading from
 * the stream", without the abort it came from. Without the caller's abort, that is its own timeout
 * when the call has run for its `timeout` (`timedOut`, the timer covers the whole stream), else the
 * connection failing, as @google/genai and @google-cloud/vertexai report it. A 499 the server sent
 * (`CANCELLED`, which Google's backends answer under load) is neither: the server ended the call.
 */
export function classifyGoogleError(error: unknown, callerSignal: unknown, timedOut = false): CallError {
  const callError = classifyError(error)
  const abortedByCaller = callerSignal instanceof AbortSignal && callerSignal.aborted
  if (callError.type === 'aborted' && !abortedByCaller) {
    callError.type = callError.httpStatus === undefined ? 'timeout' : 'server_error'
  } else if (callError.type === 'unknown' && abortedByCaller) callError.type = 'aborted'
  else if (callError.type === 'unknown' && STREAM_READ_FAILURE.test(callError.message ?? ''))
    callError.type = timedOut ? 'timeout' : 'connection'
  return callError
}

/** The `timeout` (ms) of a Google SDK's request options, when it sets one. */
export function readTimeoutMs(options: unknown): number | undefined {
  const value =
    typeof options === 'object' && options !== null ? (options as Record<string, unknown>).timeout : undefined
  return typeof value === 'number' && value >= 0 ? value : undefined
}

/** The caller's abort signal in a Google SDK call's options (`abortSignal` in genai's config, `signal` in the others). */
export function readCallerSignal(options: unknown, key: 'abortSignal' | 'signal'): AbortSignal | undefined {
  const value =
    typeof options === 'object' && options !== null ? (options as Record<string, unknown>)[key] : undefined
  return value instanceof AbortSignal ? value : undefined
}
