import type { CallError } from '@ai-cost-profiler/core'
import type { CallTracker } from '../../call-tracker.ts'
import type { ClientShapeInput } from '../../client-shape-input.ts'
import type { ErrorReporter } from '../../error-reporter.ts'
import type { AnyFunction, ProxyShape } from '../../proxy-shape.ts'
import { runRecordedCall } from '../../run-recorded-call.ts'
import { runSafely } from '../../run-safely.ts'
import { stripCallContext } from '../../strip-call-context.ts'
import { classifyGoogleError, readCallerSignal, readTimeoutMs } from '../gemini/classify-google-error.ts'
import { estimateEmbeddingTokens } from '../gemini/estimate-embedding-tokens.ts'
import {
  type GeminiStreamState,
  geminiStreamOutcome,
  readGeminiChunk,
} from '../gemini/observe-gemini-stream.ts'
import {
  geminiUsage,
  mergeGeminiUsageMetadata,
  readGeminiModelName,
  readGeminiResponse,
} from '../gemini/read-gemini-response.ts'
import { asFields } from '../read-fields.ts'
import { readStreamAhead } from './read-stream-ahead.ts'

/**
 * A call of a model (or chat session) of @google/generative-ai or @google-cloud/vertexai, which share
 * these shapes: content, streamed content, and (@google/generative-ai only) embeddings.
 */
type CallKind = 'content' | 'stream' | 'embed' | 'batchEmbed'

/**
 * The texts of an embedding request: `embedContent(text | parts | { content })` or
 * `batchEmbedContents({ requests: [{ content }, …] })`.
 */
function embeddingTexts(kind: 'embed' | 'batchEmbed', request: unknown): unknown {
  const fields = asFields(request)
  if (kind === 'embed') return fields && 'content' in fields ? fields.content : request
  const requests = fields?.requests
  return Array.isArray(requests) ? requests.map((item) => asFields(item)?.content) : undefined
}

function observeUnary(tracker: CallTracker, result: unknown): void {
  const facts = readGeminiResponse(asFields(result)?.response)
  tracker.finish({
    // An error body inside a 200 answer (a proxy's, say): the SDK returns it as the response.
    status: facts.error ? 'error' : 'success',
    model: facts.model,
    usage: geminiUsage(facts.usageMetadata),
    serviceTier: facts.serviceTier,
    callError: facts.error,
  })
}

/**
 * `generateContentStream()` resolves to `{ stream, response }`, both fed by one HTTP body. `stream` is
 * read here to its end, whether or not the caller reads it (the caller reads the same chunks from a
 * buffer), so the chunks' model, usage and error events are known even to a caller who only awaits
 * `response`, the aggregate, which keeps none of them in @google-cloud/vertexai when the last chunk
 * carries no usage. The call ends when both have. From `generateContentStream()` the caller gets a
 * promise that follows the SDK's own `response`: the profiler's handlers on that one must not make the
 * caller's rejection a handled one (unhandled, it ends the process as it would unwrapped). A chat
 * session's `sendMessageStream()` handles its `response` itself (to keep the history), so its caller
 * keeps it: a new promise there would be one nobody handles.
 */
function observeStreamResult(
  tracker: CallTracker,
  result: unknown,
  reporter: ErrorReporter,
  classify: (error: unknown) => CallError,
  responseHandledBySdk: boolean,
): unknown {
  const fields = asFields(result)
  const stream = fields?.stream as AsyncGenerator<unknown> | undefined
  const response = fields?.response as Promise<unknown> | undefined
  if (!fields || typeof stream?.next !== 'function' || typeof response?.then !== 'function') {
    tracker.finish({ status: 'success' })
    return result
  }
  const state: GeminiStreamState = { model: undefined, usageMetadata: undefined }
  const reading = readStreamAhead(stream, (chunk) =>
    runSafely(reporter, 'observing a Gemini stream', () => readGeminiChunk(tracker, state, chunk)),
  )
  // These handlers run on the SDK's own promise, outside the caller's chain: a throw in them would be an
  // unhandled rejection that ends the host process.
  response.then(
    (aggregate) =>
      reading.ended.then(() =>
        runSafely(reporter, 'recording a Gemini stream', () => {
          // The aggregate is read whole even when reading `stream` failed part-way: its usage, when it
          // has one, is the last chunk's, merged in as a chunk's; its model and tier only fill gaps.
          const facts = readGeminiResponse(aggregate)
          if (facts.finished) state.finished = true
          state.model ??= facts.model
          state.usageMetadata = mergeGeminiUsageMetadata(state.usageMetadata, facts.usageMetadata)
          state.serviceTier ??= facts.serviceTier
          tracker.finish(geminiStreamOutcome(state))
        }),
      ),
    (error: unknown) =>
      reading.ended.then(() =>
        runSafely(reporter, 'recording a failed Gemini stream', () => {
          const { model, usageMetadata, serviceTier } = state
          tracker.finish({
            status: 'incomplete',
            model,
            usage: geminiUsage(usageMetadata),
            serviceTier,
            callError: classify(error),
          })
        }),
      ),
  )
  return {
    ...fields,
    response: responseHandledBySdk ? response : response.then((aggregate) => aggregate),
    stream: reading.stream,
  }
}

function createInterceptor(input: ClientShapeInput, provider: string, kind: CallKind, inChat = false) {
  const streaming = kind === 'stream'
  const { session } = input
  return (original: AnyFunction, target: object) =>
    function intercepted(...args: unknown[]) {
      // `generateContent(request, { signal, timeout })`, the timeout also set on the model or chat; Vertex
      // AI takes no signal, so its aborts are its timeout.
      const callerSignal = readCallerSignal(args[1], 'signal')
      const timeoutMs = readTimeoutMs(args[1]) ?? readTimeoutMs(asFields(target)?._requestOptions)
      const startedAt = performance.now()
      const classify = (error: unknown) =>
        classifyGoogleError(
          error,
          callerSignal,
          timeoutMs !== undefined && performance.now() - startedAt >= timeoutMs,
        )
      return runRecordedCall({
        session,
        original,
        target,
        args,
        plan(cleaned) {
          const owner = asFields(target) ?? {}
          return {
            provider,
            requestedModel: readGeminiModelName(owner.model ?? owner.resourcePath),
            streaming,
            args: cleaned,
          }
        },
        observe(result, tracker, plan) {
          if (!(result instanceof Promise)) return result
          return result.then(
            (value: unknown) => {
              try {
                if (kind === 'stream')
                  return observeStreamResult(tracker, value, session.reporter, classify, inChat)
                if (kind === 'content') observeUnary(tracker, value)
                else {
                  // The Gemini API's embedding answers carry no token counts: estimated from the texts.
                  const inputTokens = estimateEmbeddingTokens(embeddingTexts(kind, plan.args[0]))
                  tracker.finish({
                    status: 'success',
                    usage: { inputTokens, outputTokens: 0 },
                    usageEstimated: true,
                  })
                }
              } catch (error) {
                session.reporter.reportInternal('recording a Gemini response', error)
              }
              return value
            },
            (error: unknown) => {
              runSafely(session.reporter, 'recording a failed Gemini call', () =>
                tracker.finish({ status: 'error', callError: classify(error) }),
              )
              throw error
            },
          )
        },
      })
    }
}

/** Vertex AI objects carry their project and Google auth; Gemini API ones an API key. */
function providerOf(client: object): string {
  const fields = asFields(client) ?? {}
  return fields.googleAuth !== undefined || typeof fields.project === 'string' ? 'vertex' : 'google'
}

/**
 * The shape of a `GenerativeModel` (either SDK): content calls, embeddings and chat sessions are
 * recorded. `countTokens` is not, but is stripped of the per-call context option: Vertex AI's sends
 * its request as it is given.
 */
export function generativeModelShape(
  input: ClientShapeInput,
  provider = providerOf(input.client),
): ProxyShape {
  const chat = (): ProxyShape => ({
    intercept: {
      sendMessage: createInterceptor(input, provider, 'content', true),
      sendMessageStream: createInterceptor(input, provider, 'stream', true),
    },
  })
  return {
    intercept: {
      generateContent: createInterceptor(input, provider, 'content'),
      generateContentStream: createInterceptor(input, provider, 'stream'),
      embedContent: createInterceptor(input, provider, 'embed'),
      batchEmbedContents: createInterceptor(input, provider, 'batchEmbed'),
      countTokens: stripCallContext,
    },
    wrapResults: { startChat: chat },
  }
}

/**
 * The shape of `GoogleGenerativeAI` (@google/generative-ai) and `VertexAI` (@google-cloud/vertexai):
 * the models they hand out (`getGenerativeModel`, `preview.getGenerativeModel`, …) are wrapped.
 */
export function googleGenerativeAiClientShape(input: ClientShapeInput): ProxyShape {
  const provider = providerOf(input.client)
  const model = () => generativeModelShape(input, provider)
  const factories = { getGenerativeModel: model, getGenerativeModelFromCachedContent: model }
  return {
    bindToTarget: true,
    wrapResults: factories,
    children: { preview: () => ({ bindToTarget: true, wrapResults: factories }) },
  }
}
