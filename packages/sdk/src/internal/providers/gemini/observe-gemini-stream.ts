import type { CallError } from '@ai-cost-profiler/core'
import type { CallOutcome, CallTracker } from '../../call-tracker.ts'
import type { IterationObserver } from '../../observe-async-iterator.ts'
import { geminiUsage, mergeGeminiUsageMetadata, readGeminiResponse } from './read-gemini-response.ts'

/** What a Gemini stream has reported so far. */
export interface GeminiStreamState {
  model: string | undefined
  /** The chunks' `usageMetadata`, merged: each count is a running total, so its last value wins. */
  usageMetadata: Readonly<Record<string, unknown>> | undefined
  serviceTier?: CallOutcome['serviceTier']
  /** A chunk said why generation stopped (`finishReason`), so the stream is whole. */
  finished?: boolean
  /**
   * @google/genai's tool loop yielded the function responses it sends back: its next model request
   * starts a new round, billed on its own, whose facts replace this round's (see `startNextRound`).
   */
  betweenRounds?: boolean
  /**
   * An error event inside the stream (`data: {"error": {...}}`): @google/generative-ai and
   * @google-cloud/vertexai pass it on as a chunk instead of failing, so the call did not complete.
   */
  error?: CallError | undefined
}

/** What the stream told about the call, for its outcome. */
function knownFacts(state: GeminiStreamState): Pick<CallOutcome, 'model' | 'usage' | 'serviceTier'> {
  return { model: state.model, usage: geminiUsage(state.usageMetadata), serviceTier: state.serviceTier }
}

/**
 * How a stream that ended without failing is recorded: incomplete when an error event came in it, when
 * it ended before any chunk gave a `finishReason` (the connection closed cleanly part-way, as OpenAI
 * and Anthropic streams without their final event are recorded), or when no chunk carried usage (its
 * tokens are unknown: never a $0 success).
 */
export function geminiStreamOutcome(state: GeminiStreamState): CallOutcome {
  if (state.error) return { status: 'incomplete', ...knownFacts(state), callError: state.error }
  if (!state.finished || !state.usageMetadata) return { status: 'incomplete', ...knownFacts(state) }
  return { status: 'success', ...knownFacts(state) }
}

/**
 * Starts the next round of a tool loop's stream, if one ended: its usage, tier and end are its own.
 * Called when its model request goes out (a round of a watched call is recorded as its own event
 * then, so the call's event must not carry it too) or, at the latest, at its first chunk. The caller
 * who leaves at the function responses has made no further request, and the round before stays
 * the call's.
 */
export function startNextRound(state: GeminiStreamState): void {
  if (!state.betweenRounds) return
  state.betweenRounds = false
  state.usageMetadata = undefined
  state.serviceTier = undefined
  state.finished = false
}

/** Takes what one chunk of a Gemini stream says into the stream's state. */
export function readGeminiChunk(tracker: CallTracker, state: GeminiStreamState, chunk: unknown): void {
  const facts = readGeminiResponse(chunk)
  if (facts.toolResponses) {
    state.betweenRounds = true
    return
  }
  startNextRound(state)
  if (facts.hasContent) tracker.markFirstToken()
  state.model = facts.model ?? state.model
  state.usageMetadata = mergeGeminiUsageMetadata(state.usageMetadata, facts.usageMetadata)
  state.serviceTier = facts.serviceTier ?? state.serviceTier
  if (facts.finished) state.finished = true
  state.error = facts.error ?? state.error
}

/**
 * Watches a Gemini stream (`generateContentStream`). A normal end records success with the last
 * running totals; an early stop or a failure records `incomplete` with what was known.
 */
export function observeGeminiStream(
  tracker: CallTracker,
  options: { state?: GeminiStreamState; classify?: (error: unknown) => CallError },
): IterationObserver<unknown> {
  const state = options.state ?? { model: undefined, usageMetadata: undefined }
  return {
    onItem(chunk) {
      readGeminiChunk(tracker, state, chunk)
      return false
    },
    onDone() {
      tracker.finish(geminiStreamOutcome(state))
    },
    onError(error) {
      tracker.finish({
        status: 'incomplete',
        ...knownFacts(state),
        error,
        callError: options.classify?.(error),
      })
    },
    onCancel() {
      // Stopped after the chunk that said the answer was whole: nothing was cut off.
      if (state.finished) tracker.finish(geminiStreamOutcome(state))
      else tracker.finish({ status: 'incomplete', ...knownFacts(state), callError: { type: 'aborted' } })
    },
  }
}
