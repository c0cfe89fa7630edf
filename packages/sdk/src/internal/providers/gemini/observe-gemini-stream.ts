import type { CallError } from '@ai-cost-profiler/core'
import type { CallOutcome, CallTracker } from '../../call-tracker.ts'
import { classifyError } from '../../classify-error.ts'
import type { IterationObserver } from '../../observe-async-iterator.ts'
import { asFields } from '../read-fields.ts'
import { readGeminiResponse } from './read-gemini-response.ts'

/** What a Gemini stream has reported so far: each chunk's usage is a running total, so the last one wins. */
export interface GeminiStreamState {
  model: string | undefined
  usage: CallOutcome['usage']
  serviceTier?: CallOutcome['serviceTier']
  /**
   * An error event inside the stream (`data: {"error": {...}}`): @google/generative-ai and
   * @google-cloud/vertexai pass it on as a chunk instead of failing, so the call did not complete.
   */
  error?: CallError | undefined
}

/** The error a stream chunk carries in place of a response, classified; undefined for a normal chunk. */
function readStreamError(chunk: unknown): CallError | undefined {
  const error = asFields(asFields(chunk)?.error)
  if (!error) return undefined
  // Google's error body: `code` is the HTTP status, `status` the provider's code.
  return classifyError({ status: error.code, code: error.status, message: error.message })
}

/** What the stream told about the call, for its outcome. */
function knownFacts(state: GeminiStreamState): Pick<CallOutcome, 'model' | 'usage' | 'serviceTier'> {
  return { model: state.model, usage: state.usage, serviceTier: state.serviceTier }
}

/** How a stream that ended without failing is recorded: incomplete when an error event came in it. */
export function geminiStreamOutcome(state: GeminiStreamState): CallOutcome {
  if (state.error) return { status: 'incomplete', ...knownFacts(state), callError: state.error }
  return { status: 'success', ...knownFacts(state) }
}

/**
 * Watches a Gemini stream (`generateContentStream`). A normal end records success with the last
 * running totals; an early stop or a failure records `incomplete` with what was known.
 * `finishOnEnd: false` leaves the ending to someone else (the aggregated `response` promise).
 */
export function observeGeminiStream(
  tracker: CallTracker,
  options: { finishOnEnd: boolean; state?: GeminiStreamState; classify?: (error: unknown) => CallError },
): IterationObserver<unknown> {
  const state = options.state ?? { model: undefined, usage: undefined }
  return {
    onItem(chunk) {
      const facts = readGeminiResponse(chunk)
      if (facts.hasContent) tracker.markFirstToken()
      state.model = facts.model ?? state.model
      state.usage = facts.usage ?? state.usage
      state.serviceTier = facts.serviceTier ?? state.serviceTier
      state.error = readStreamError(chunk) ?? state.error
      return false
    },
    onDone() {
      if (options.finishOnEnd) tracker.finish(geminiStreamOutcome(state))
    },
    onError(error) {
      if (!options.finishOnEnd) return
      tracker.finish({
        status: 'incomplete',
        ...knownFacts(state),
        error,
        callError: options.classify?.(error),
      })
    },
    onCancel() {
      if (options.finishOnEnd)
        tracker.finish({ status: 'incomplete', ...knownFacts(state), callError: { type: 'aborted' } })
    },
  }
}
