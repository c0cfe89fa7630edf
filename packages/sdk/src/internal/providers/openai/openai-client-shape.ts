import { normalizeOpenAiUsage, type OpenAiUsagePayload } from '@ai-cost-profiler/core'
import { type CallTracker, DeferredUsage } from '../../call-tracker.ts'
import type { ClientShapeInput } from '../../client-shape-input.ts'
import type { ProxyShape } from '../../proxy-shape.ts'
import { type CallPlan, type CallRecorder, recordCall } from '../../run-recorded-call.ts'
import { spreadMerge } from '../../spread-merge.ts'
import { stripCallContext } from '../../strip-call-context.ts'
import { attachAttemptScope } from '../attach-attempt-scope.ts'
import { asFields, readString } from '../read-fields.ts'
import {
  isStainlessApiPromise,
  isStainlessStream,
  observeApiPromiseInPlace,
  observeStainlessStream,
  type ParsedResultObserver,
} from '../stainless-api-promise.ts'
import { mapOpenAiServiceTier } from './map-openai-service-tier.ts'
import { observeOpenAiChatStream } from './observe-openai-chat-stream.ts'
import { observeOpenAiResponsesStream } from './observe-openai-responses-stream.ts'
import { readOpenAiErrorBody } from './read-openai-error-body.ts'

type Endpoint = 'chat' | 'responses' | 'embeddings'

/** An OpenAI call's plan, with what observing its stream needs. */
interface OpenAiCallPlan extends CallPlan {
  /** The profiler added `stream_options.include_usage`, so the usage-only chunk must not reach the caller. */
  hideUsageChunk: boolean
  /** `include_usage` was asked for, by the caller or the profiler. */
  usageRequested: boolean
  /** Answers the request asked for (`n`): the answer is whole once each of them has finished. */
  choiceCount: number
}

function recordResult(endpoint: Endpoint, data: unknown, tracker: CallTracker): void {
  const fields = asFields(data) ?? {}
  const usage = asFields(fields.usage) as OpenAiUsagePayload | undefined
  const model = readString(fields.model)
  // Normalised when the event is built, off the caller's path, from a copy taken now.
  const normalized = usage ? new DeferredUsage(DeferredUsage.copy(usage), normalizeOpenAiUsage) : undefined
  const serviceTier = mapOpenAiServiceTier(fields.service_tier)
  // A failed Responses API response, or an error body answered with a 200, which the SDK returns as data.
  const callError = readOpenAiErrorBody(fields)
  if (callError || (endpoint === 'responses' && fields.status === 'failed')) {
    tracker.finish({ status: 'error', model, usage: normalized, serviceTier, callError })
  } else if (endpoint === 'responses' && (fields.status === 'queued' || fields.status === 'in_progress')) {
    // A background response: accepted, its tokens not known yet. Incomplete, never a $0 success.
    tracker.finish({ status: 'incomplete', model, usage: normalized, serviceTier })
  } else {
    tracker.finish({ status: 'success', model, usage: normalized, serviceTier })
  }
}

// Azure OpenAI refuses `stream_options` (400, "Unrecognized request argument") before this api-version.
const FIRST_AZURE_API_VERSION_WITH_STREAM_OPTIONS = '2024-09-01'

/** Whether an api-version takes `stream_options`: one dated before 2024-09-01 does not; any other does. */
function versionAcceptsStreamOptions(apiVersion: unknown): boolean {
  if (typeof apiVersion !== 'string') return true
  const date = /^\d{4}-\d{2}-\d{2}/.exec(apiVersion)?.[0]
  return date === undefined || date >= FIRST_AZURE_API_VERSION_WITH_STREAM_OPTIONS
}

/**
 * The api-version a client sends with every request: an `AzureOpenAI` client states it in `apiVersion`
 * (`2024-06-01`, `2024-10-01-preview`); a plain `OpenAI` client pointed at Azure, in its default query.
 * Other clients send none.
 */
function clientApiVersion(client: object): unknown {
  const fields = asFields(client)
  return fields?.apiVersion ?? asFields(asFields(fields?._options)?.defaultQuery)?.['api-version']
}

/** Plans and observes the calls of one `create` method; made once per method, shared by its calls. */
function createRecorder(
  endpoint: Endpoint,
  options: ClientShapeInput,
  changesArguments: { includeUsage: boolean; attemptScope: boolean },
): CallRecorder<OpenAiCallPlan> & ParsedResultObserver<OpenAiCallPlan> {
  const { session, client } = options
  const recorder: CallRecorder<OpenAiCallPlan> & ParsedResultObserver<OpenAiCallPlan> = {
    session,
    plan(cleaned) {
      const body = asFields(cleaned[0]) ?? {}
      const streaming = body.stream === true
      const streamOptions = asFields(body.stream_options)
      // A call's own query may name another api-version than the client's.
      const callApiVersion = asFields(asFields(cleaned[1])?.query)?.['api-version']
      const includeUsage =
        callApiVersion === undefined
          ? changesArguments.includeUsage
          : versionAcceptsStreamOptions(callApiVersion)
      const hideUsageChunk =
        includeUsage && endpoint === 'chat' && streaming && streamOptions?.include_usage !== true
      const counted = changesArguments.attemptScope ? attachAttemptScope(cleaned[1]) : undefined
      let planned = cleaned
      if (hideUsageChunk || counted) {
        // A copy: the arguments the call was given stay as they were.
        planned = cleaned.slice()
        if (hideUsageChunk) {
          // Without include_usage a chat stream reports no tokens; the extra chunk is hidden again below.
          planned[0] = spreadMerge(body, {
            stream_options: spreadMerge(streamOptions, { include_usage: true }),
          })
        }
        if (counted) planned[1] = counted.requestOptions
      }
      return {
        provider: 'openai',
        requestedModel: readString(body.model),
        streaming,
        serviceTier: mapOpenAiServiceTier(body.service_tier),
        args: planned,
        attemptScope: counted?.scope,
        hideUsageChunk,
        usageRequested: hideUsageChunk || (streaming && streamOptions?.include_usage === true),
        choiceCount: Number.isSafeInteger(body.n) && (body.n as number) > 1 ? (body.n as number) : 1,
      }
    },
    observe(result, tracker, plan) {
      if (!isStainlessApiPromise(result)) {
        session.reporter.reportUnexpected(
          `openai ${endpoint}.create returned something other than an APIPromise`,
        )
        tracker.abandon()
        return result
      }
      return observeApiPromiseInPlace(result, tracker, session.reporter, recorder, plan)
    },
    onData(data, tracker, plan) {
      if (!isStainlessStream(data)) {
        recordResult(endpoint, data, tracker)
        return data
      }
      const isAborted = () => data.controller.signal.aborted
      const observer =
        endpoint === 'responses'
          ? observeOpenAiResponsesStream(tracker, isAborted)
          : observeOpenAiChatStream({
              tracker,
              hideUsageChunk: plan.hideUsageChunk,
              usageRequested: plan.usageRequested,
              choiceCount: plan.choiceCount,
              isAborted,
            })
      return observeStainlessStream(data, observer, { client, session, tracker })
    },
  }
  return recorder
}

function createInterceptor(endpoint: Endpoint, options: ClientShapeInput) {
  const streamOptionsAccepted = versionAcceptsStreamOptions(clientApiVersion(options.client))
  return (original: (...args: unknown[]) => unknown, target: object) => {
    const recorder = createRecorder(endpoint, options, {
      includeUsage: streamOptionsAccepted,
      attemptScope: options.countsAttempts,
    })
    return function create(...args: unknown[]) {
      return recordCall(recorder, original, target, args)
    }
  }
}

/**
 * The parts of an `openai` client that are recorded: `chat.completions.create`, `responses.create`
 * and `responses.compact` (also under `beta.responses`), and `embeddings.create`. The helpers (`parse`, `stream`, `runTools`, `responses.stream`, …) reach
 * these through `this._client`, which points at the wrapped client, so each request counts once.
 */
export function openAiClientShape(options: ClientShapeInput): ProxyShape {
  const aliases = { _client: options.root }
  const resource = (endpoint: Endpoint): ProxyShape => ({
    aliases,
    intercept: { create: createInterceptor(endpoint, options) },
  })
  // `compact` is a billed model call too; its result carries usage but no model (the request's counts).
  // `inputTokens.count` is free: not recorded, only stripped of the per-call context option.
  const responses = (): ProxyShape => ({
    aliases,
    intercept: {
      create: createInterceptor('responses', options),
      compact: createInterceptor('responses', options),
    },
    children: { inputTokens: () => ({ intercept: { count: stripCallContext } }) },
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
      responses,
      embeddings: () => resource('embeddings'),
      // The beta Responses API, the same calls under `client.beta.responses`.
      beta: () => ({ aliases, children: { responses } }),
    },
  }
}
