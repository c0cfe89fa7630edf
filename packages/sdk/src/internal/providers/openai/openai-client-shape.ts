import { normalizeOpenAiUsage, type OpenAiUsagePayload } from '@ai-cost-profiler/core'
import type { CallTracker } from '../../call-tracker.ts'
import type { ClientShapeInput } from '../../client-shape-input.ts'
import type { ProxyShape } from '../../proxy-shape.ts'
import { runRecordedCall } from '../../run-recorded-call.ts'
import { spreadMerge } from '../../spread-merge.ts'
import { attachAttemptScope } from '../attach-attempt-scope.ts'
import { asFields, readString } from '../read-fields.ts'
import {
  isStainlessApiPromise,
  isStainlessStream,
  observeApiPromise,
  observeStainlessStream,
} from '../stainless-api-promise.ts'
import { mapOpenAiServiceTier } from './map-openai-service-tier.ts'
import { observeOpenAiChatStream } from './observe-openai-chat-stream.ts'
import { observeOpenAiResponsesStream, readResponsesApiError } from './observe-openai-responses-stream.ts'

type Endpoint = 'chat' | 'responses' | 'embeddings'

function recordResult(endpoint: Endpoint, data: unknown, tracker: CallTracker): void {
  const fields = asFields(data) ?? {}
  const usage = asFields(fields.usage) as OpenAiUsagePayload | undefined
  const outcome = {
    model: readString(fields.model),
    usage: usage ? normalizeOpenAiUsage(usage) : undefined,
    serviceTier: mapOpenAiServiceTier(fields.service_tier),
  }
  if (endpoint === 'responses' && fields.status === 'failed') {
    tracker.finish({ status: 'error', ...outcome, callError: readResponsesApiError(fields) })
  } else {
    tracker.finish({ status: 'success', ...outcome })
  }
}

function createInterceptor(endpoint: Endpoint, options: ClientShapeInput) {
  const { session, client, countsAttempts } = options
  return (original: (...args: unknown[]) => unknown, target: object) =>
    function create(...args: unknown[]) {
      let hideUsageChunk = false
      return runRecordedCall({
        session,
        original,
        target,
        args,
        plan(cleaned) {
          const body = asFields(cleaned[0]) ?? {}
          const streaming = body.stream === true
          const planned = [...cleaned]
          const streamOptions = asFields(body.stream_options)
          if (endpoint === 'chat' && streaming && streamOptions?.include_usage !== true) {
            // Without include_usage a chat stream reports no tokens; the extra chunk is hidden again below.
            planned[0] = spreadMerge(body, {
              stream_options: spreadMerge(streamOptions, { include_usage: true }),
            })
            hideUsageChunk = true
          }
          const counted = countsAttempts ? attachAttemptScope(cleaned[1]) : undefined
          if (counted) planned[1] = counted.requestOptions
          return {
            provider: 'openai',
            requestedModel: readString(body.model),
            streaming,
            serviceTier: mapOpenAiServiceTier(body.service_tier),
            args: planned,
            attemptScope: counted?.scope,
          }
        },
        observe(result, tracker) {
          if (!isStainlessApiPromise(result)) {
            session.reporter.reportUnexpected(
              `openai ${endpoint}.create returned something other than an APIPromise`,
            )
            return result
          }
          return observeApiPromise({
            promise: result,
            tracker,
            reporter: session.reporter,
            onData(data) {
              if (!isStainlessStream(data)) {
                recordResult(endpoint, data, tracker)
                return data
              }
              const isAborted = () => data.controller.signal.aborted
              const observer =
                endpoint === 'responses'
                  ? observeOpenAiResponsesStream(tracker, isAborted)
                  : observeOpenAiChatStream({ tracker, hideUsageChunk, isAborted })
              return observeStainlessStream(data, observer, { client, reporter: session.reporter })
            },
          })
        },
      })
    }
}

/**
 * The parts of an `openai` client that are recorded: `chat.completions.create`, `responses.create`
 * and `embeddings.create`. The helpers (`parse`, `stream`, `runTools`, `responses.stream`, …) reach
 * these through `this._client`, which points at the wrapped client, so each request counts once.
 */
export function openAiClientShape(options: ClientShapeInput): ProxyShape {
  const aliases = { _client: options.root }
  const resource = (endpoint: Endpoint): ProxyShape => ({
    aliases,
    intercept: { create: createInterceptor(endpoint, options) },
  })
  return {
    bindToTarget: true,
    intercept: {
      withOptions: (original, target) =>
        function withOptions(...args: unknown[]) {
          return options.rewrap(original.apply(target, args))
        },
    },
    children: {
      chat: () => ({ aliases, children: { completions: () => resource('chat') } }),
      responses: () => resource('responses'),
      embeddings: () => resource('embeddings'),
    },
  }
}
