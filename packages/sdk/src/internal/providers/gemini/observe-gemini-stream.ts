import type { CallOutcome, CallTracker } from '../../call-tracker.ts'
import type { IterationObserver } from '../../observe-async-iterator.ts'
import { readGeminiResponse } from './read-gemini-response.ts'

/** What a Gemini stream has reported so far: each chunk's usage is a running total, so the last one wins. */
export interface GeminiStreamState {
  model: string | undefined
  usage: CallOutcome['usage']
}

/**
 * Watches a Gemini stream (`generateContentStream`). A normal end records success with the last
 * running totals; an early stop or a failure records `incomplete` with what was known.
 * `finishOnEnd: false` leaves the ending to someone else (the aggregated `response` promise).
 */
export function observeGeminiStream(
  tracker: CallTracker,
  options: { finishOnEnd: boolean; state?: GeminiStreamState },
): IterationObserver<unknown> {
  const state = options.state ?? { model: undefined, usage: undefined }
  return {
    onItem(chunk) {
      const facts = readGeminiResponse(chunk)
      if (facts.hasContent) tracker.markFirstToken()
      state.model = facts.model ?? state.model
      state.usage = facts.usage ?? state.usage
      return false
    },
    onDone() {
      if (options.finishOnEnd) tracker.finish({ status: 'success', ...state })
    },
    onError(error) {
      if (options.finishOnEnd) tracker.finish({ status: 'incomplete', ...state, error })
    },
    onCancel() {
      if (options.finishOnEnd)
        tracker.finish({ status: 'incomplete', ...state, callError: { type: 'aborted' } })
    },
  }
}
