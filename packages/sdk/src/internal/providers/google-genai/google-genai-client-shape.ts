import type { CallError, ServiceTier } from '@ai-cost-profiler/core'
import type { CallOutcome, CallTracker } from '../../call-tracker.ts'
import type { ClientShapeInput } from '../../client-shape-input.ts'
import { createClientProxy } from '../../create-client-proxy.ts'
import { extractCallContext, hasCallContext } from '../../extract-call-context.ts'
import { observeAsyncIterator } from '../../observe-async-iterator.ts'
import type { AnyFunction, ProxyShape } from '../../proxy-shape.ts'
import { runRecordedCall } from '../../run-recorded-call.ts'
import { runSafely } from '../../run-safely.ts'
import { classifyGoogleError, readCallerSignal } from '../gemini/classify-google-error.ts'
import { estimateEmbeddingTokens } from '../gemini/estimate-embedding-tokens.ts'
import { mapGeminiServiceTier } from '../gemini/map-gemini-service-tier.ts'
import {
  type GeminiStreamState,
  observeGeminiStream,
  startNextRound,
} from '../gemini/observe-gemini-stream.ts'
import { geminiUsage, readGeminiModelName, readGeminiResponse } from '../gemini/read-gemini-response.ts'
import { asFields } from '../read-fields.ts'
import { type WatchedGenAiCall, watchGenAiRequests } from './watch-genai-requests.ts'

type Method = 'generateContent' | 'generateContentStream' | 'embedContent'

function isAsyncIterator(value: unknown): value is AsyncGenerator<unknown> {
  const candidate = value as { next?: unknown; [Symbol.asyncIterator]?: unknown } | null
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.next === 'function' &&
    typeof candidate[Symbol.asyncIterator] === 'function'
  )
}

/**
 * The input tokens of an embedding call. Vertex AI's predictions carry a token count per input; the
 * Gemini API's carry none, and the tokens are then estimated from the request's texts.
 */
function embeddingUsage(response: unknown, contents: unknown): Pick<CallOutcome, 'usage' | 'usageEstimated'> {
  const embeddings = asFields(response)?.embeddings
  let counted = 0
  let countedAll = Array.isArray(embeddings) && embeddings.length > 0
  if (Array.isArray(embeddings)) {
    for (const embedding of embeddings) {
      const tokenCount = asFields(asFields(embedding)?.statistics)?.tokenCount
      if (typeof tokenCount === 'number' && Number.isSafeInteger(tokenCount) && tokenCount >= 0)
        counted += tokenCount
      else countedAll = false
    }
  }
  if (countedAll) return { usage: { inputTokens: counted, outputTokens: 0 } }
  return { usage: { inputTokens: estimateEmbeddingTokens(contents), outputTokens: 0 }, usageEstimated: true }
}

/**
 * The error of a `generateContent` answer that carries nothing a response has. A 200 answer whose body
 * is an error (`{"error": {...}}`, from a proxy or gateway) reaches the caller as such an empty
 * response: @google/genai keeps only the fields it knows, so the error's code and message are lost.
 */
function emptyResponseError(response: unknown): CallError | undefined {
  const fields = asFields(response)
  if (fields?.candidates || fields?.usageMetadata || fields?.promptFeedback) return undefined
  return {
    type: 'unknown',
    message:
      'the answer carried no candidates, usage or prompt feedback (an error body in a 200 answer, which @google/genai does not pass on)',
  }
}

function recordSettled(
  method: Method,
  tracker: CallTracker,
  promise: Promise<unknown>,
  reporter: ClientShapeInput['session']['reporter'],
  request: Record<string, unknown> | undefined,
  watched: WatchedGenAiCall | undefined,
) {
  const callerSignal = readCallerSignal(asFields(request?.config), 'abortSignal')
  const classify = (error: unknown) => classifyGoogleError(error, callerSignal)
  return promise.then(
    (value) => {
      try {
        if (method === 'generateContentStream') {
          if (!isAsyncIterator(value)) {
            tracker.finish({ status: 'success' })
            return value
          }
          const state: GeminiStreamState = { model: undefined, usageMetadata: undefined }
          // The watched requests of a tool loop tell when its next round starts: no chunk does, when
          // that round's request fails.
          if (watched) watched.rounds.onRequest = () => startNextRound(state)
          return observeAsyncIterator(value, observeGeminiStream(tracker, { state, classify }), reporter)
        }
        if (method === 'embedContent') {
          tracker.finish({ status: 'success', ...embeddingUsage(value, request?.contents) })
          return value
        }
        const facts = readGeminiResponse(value)
        const callError = facts.error ?? emptyResponseError(value)
        tracker.finish({
          status: callError ? 'error' : 'success',
          model: facts.model,
          usage: geminiUsage(facts.usageMetadata),
          serviceTier: facts.serviceTier,
          callError,
        })
      } catch (error) {
        reporter.reportInternal('recording a Gemini response', error)
      }
      return value
    },
    (error: unknown) => {
      runSafely(reporter, 'recording a failed Gemini call', () => {
        tracker.finish({ status: 'error', callError: classify(error) })
        // A tool loop that failed after an answered round (its tool threw): that round was billed.
        watched?.settleLastRound()
      })
      throw error
    },
  )
}

function createInterceptor(method: Method, input: ClientShapeInput, provider: string) {
  const { session } = input
  return (original: AnyFunction, target: object) =>
    function intercepted(...args: unknown[]) {
      let watched: WatchedGenAiCall | undefined
      return runRecordedCall({
        session,
        original,
        target,
        args,
        plan(cleaned) {
          const params = asFields(cleaned[0]) ?? {}
          const serviceTier: ServiceTier | undefined = mapGeminiServiceTier(
            asFields(params.config)?.serviceTier,
          )
          watched = watchGenAiRequests(cleaned[0], target, session)
          return {
            provider,
            requestedModel: readGeminiModelName(params.model),
            streaming: method === 'generateContentStream',
            serviceTier,
            args: watched ? [watched.params, ...cleaned.slice(1)] : cleaned,
            attemptScope: watched?.scope,
          }
        },
        observe(result, tracker) {
          if (watched) watched.rounds.tracker = tracker
          if (!(result instanceof Promise)) {
            session.reporter.reportUnexpected(`@google/genai models.${method} returned a non-promise`)
            tracker.abandon()
            return result
          }
          return recordSettled(method, tracker, result, session.reporter, asFields(args[0]), watched)
        },
      })
    }
}

/**
 * A chat's `sendMessage*()` builds the request it hands the (wrapped) models itself, dropping the
 * per-call context option it was given: the option is taken out here and put in scope for that call.
 */
function chatShape(input: ClientShapeInput): ProxyShape {
  const { session } = input
  const withCallContext = (original: AnyFunction, target: object) =>
    function sendWithCallContext(...args: unknown[]) {
      if (!hasCallContext(args)) return original.apply(target, args)
      const { args: cleaned, context } = extractCallContext(args)
      if (!context) return original.apply(target, cleaned)
      return session.runInCallContext(context, () => original.apply(target, cleaned))
    }
  return { intercept: { sendMessage: withCallContext, sendMessageStream: withCallContext } }
}

/**
 * The parts of a `@google/genai` client that are recorded: `models.generateContent`,
 * `generateContentStream` and `embedContent`. Chats reach the models through `modelsModule`, which
 * points at the wrapped models, so `chats.create().sendMessage*()` count once.
 */
export function googleGenAiClientShape(input: ClientShapeInput): ProxyShape {
  // One client serves both backends; the flag says which one bills the call.
  const provider = asFields(input.client)?.vertexai === true ? 'vertex' : 'google'
  const models = (): ProxyShape => ({
    intercept: {
      generateContent: createInterceptor('generateContent', input, provider),
      generateContentStream: createInterceptor('generateContentStream', input, provider),
      embedContent: createInterceptor('embedContent', input, provider),
    },
  })
  const chats = (): ProxyShape => ({
    aliases: { modelsModule: () => asFields(input.root())?.models as object },
    intercept: {
      // Called on the proxy, so the new chat is handed the wrapped models through the alias above.
      create: (original) =>
        function create(this: unknown, ...args: unknown[]) {
          const chat = original.apply(this, args)
          return asFields(chat) ? createClientProxy(chat as object, chatShape(input), new WeakMap()) : chat
        },
    },
  })
  return { bindToTarget: true, children: { models, chats } }
}
