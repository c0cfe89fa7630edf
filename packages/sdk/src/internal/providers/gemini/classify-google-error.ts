import type { CallError } from '@ai-cost-profiler/core'
import { classifyError } from '../../classify-error.ts'

/**
 * Classifies an error of a Google SDK call. Those SDKs enforce their `timeout` by aborting their own
 * request, which fails like a caller's abort; an abort the caller's signal did not make is the timeout.
 * A failure the SDK did not explain after the caller's signal aborted is that abort:
 * @google/generative-ai reports an abort part-way through a stream as a plain "Error reading from
 * the stream", without the abort it came from.
 */
export function classifyGoogleError(error: unknown, callerSignal: unknown): CallError {
  const callError = classifyError(error)
  const abortedByCaller = callerSignal instanceof AbortSignal && callerSignal.aborted
  if (callError.type === 'aborted' && !abortedByCaller) callError.type = 'timeout'
  else if (callError.type === 'unknown' && abortedByCaller) callError.type = 'aborted'
  return callError
}

/** The caller's abort signal in a Google SDK call's options (`abortSignal` in genai's config, `signal` in the others). */
export function readCallerSignal(options: unknown, key: 'abortSignal' | 'signal'): AbortSignal | undefined {
  const value =
    typeof options === 'object' && options !== null ? (options as Record<string, unknown>)[key] : undefined
  return value instanceof AbortSignal ? value : undefined
}
