import { type CallError, normalizeOpenAiUsage, type OpenAiUsagePayload } from '@ai-cost-profiler/core'
import type { CallTracker } from '../../call-tracker.ts'
import type { IterationObserver } from '../../observe-async-iterator.ts'
import { asFields, readString } from '../read-fields.ts'
import { mapOpenAiServiceTier } from './map-openai-service-tier.ts'
import { readOpenAiErrorBody } from './read-openai-error-body.ts'

function hasOutput(delta: unknown): boolean {
  const fields = asFields(delta)
  if (!fields) return false
  return (
    (typeof fields.content === 'string' && fields.content !== '') ||
    (typeof fields.refusal === 'string' && fields.refusal !== '') ||
    (Array.isArray(fields.tool_calls) && fields.tool_calls.length > 0) ||
    asFields(fields.function_call) !== undefined ||
    asFields(fields.audio) !== undefined
  )
}

/**
 * An error event inside the stream, classified as the same body answered with a 200 is: the SDK throws
 * it as an `APIError` without a status, the body's `error` kept as `error`, where a gateway's numeric
 * `code` is the HTTP status. Undefined for anything else the stream threw (abort, broken connection).
 */
function readStreamedErrorBody(error: unknown): CallError | undefined {
  const fields = asFields(error)
  if (fields?.status !== undefined) return undefined
  const body = asFields(fields?.error)
  return body ? readOpenAiErrorBody({ error: body }) : undefined
}

function anyChoiceHasOutput(choices: readonly unknown[]): boolean {
  for (const choice of choices) if (hasOutput(asFields(choice)?.delta)) return true
  return false
}

/** Adds the index of each choice of a chunk that gives a `finish_reason` to `finished`. */
function addFinishedChoices(choices: readonly unknown[], finished: Set<unknown>): void {
  for (const choice of choices) {
    const fields = asFields(choice)
    if (readString(fields?.finish_reason)) finished.add(fields?.index ?? 0)
  }
}

/** Options of `observeOpenAiChatStream`. */
export interface ObserveOpenAiChatStreamOptions {
  tracker: CallTracker
  /** The profiler added `stream_options.include_usage`, so the usage-only chunk must not reach the caller. */
  hideUsageChunk: boolean
  /** `include_usage` was asked for, by the caller or the profiler: a usage-only chunk ends the stream. */
  usageRequested: boolean
  /** Answers asked for (`n`); the answer is whole once every one of them gave a `finish_reason`. */
  choiceCount: number
  isAborted: () => boolean
}

/**
 * Watches a Chat Completions stream: model and tier from the chunks, the first output token, and the
 * usage of the final chunk (present when `include_usage` was requested, by the caller or the profiler;
 * without it the stream is recorded incomplete, its tokens unknown).
 */
export function observeOpenAiChatStream(options: ObserveOpenAiChatStreamOptions): IterationObserver<unknown> {
  const { tracker, hideUsageChunk, usageRequested } = options
  let model: string | undefined
  let usage: OpenAiUsagePayload | undefined
  let serviceTier: unknown
  let sawOutput = false
  let sawFinish = false
  const finishedChoices = new Set<unknown>()
  const outcome = () => ({
    model,
    usage: usage ? normalizeOpenAiUsage(usage) : undefined,
    serviceTier: mapOpenAiServiceTier(serviceTier),
  })
  return {
    onItem(chunk) {
      const fields = asFields(chunk)
      if (!fields) return false
      model = readString(fields.model) ?? model
      serviceTier = fields.service_tier ?? serviceTier
      const choices: readonly unknown[] = Array.isArray(fields.choices) ? fields.choices : []
      // Only the first output matters (time to first token): later chunks skip the scan.
      if (!sawOutput && anyChoiceHasOutput(choices)) {
        sawOutput = true
        tracker.markFirstToken()
      }
      if (!sawFinish && choices.length > 0) {
        addFinishedChoices(choices, finishedChoices)
        sawFinish = finishedChoices.size >= options.choiceCount
      }
      const chunkUsage = asFields(fields.usage)
      const usageOnly = chunkUsage !== undefined && choices.length === 0
      if (chunkUsage) usage = chunkUsage as OpenAiUsagePayload
      // The usage-only chunk after every answer finished is the stream's last: the call is recorded now,
      // as a client's helper may abort its request after its caller left and never read on. (Some
      // compatible servers also send usage-only chunks earlier, with running totals.)
      if (usageOnly && sawFinish) tracker.finish({ status: 'success', ...outcome() })
      if (!hideUsageChunk) return false
      if (usageOnly) return true
      // With include_usage every other chunk carries `usage: null`; without it the key is absent. Set to
      // undefined it reads and serialises as absent; deleting it would turn the chunk into a slow
      // dictionary object whenever a key follows it (OpenAI's `obfuscation` does).
      if (fields.usage === null) (chunk as Record<string, unknown>).usage = undefined
      return false
    },
    onDone() {
      if (usage) tracker.finish({ status: 'success', ...outcome() })
      else if (options.isAborted()) {
        tracker.finish({ status: 'incomplete', ...outcome(), callError: { type: 'aborted' } })
      } else {
        // Some OpenAI-compatible servers ignore include_usage; the call happened but its tokens are unknown.
        tracker.finish({ status: 'incomplete', ...outcome() })
      }
    },
    onError(error) {
      tracker.finish({ status: 'incomplete', ...outcome(), error, callError: readStreamedErrorBody(error) })
    },
    // A caller who stops at the chunk that finished the answer has had every chunk the answer has; the
    // usage-only chunk comes next (whoever asked for it), and is read for the record: the call was billed.
    readsOneMoreOnCancel: () => usageRequested && sawFinish && !usage,
    onCancel() {
      if (usage) tracker.finish({ status: 'success', ...outcome() })
      else tracker.finish({ status: 'incomplete', ...outcome(), callError: { type: 'aborted' } })
    },
  }
}
