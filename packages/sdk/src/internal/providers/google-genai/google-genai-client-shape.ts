import type { ServiceTier } from '@ai-cost-profiler/core'
import type { CallTracker } from '../../call-tracker.ts'
import type { ClientShapeInput } from '../../client-shape-input.ts'
import { observeAsyncIterator } from '../../observe-async-iterator.ts'
import type { AnyFunction, ProxyShape } from '../../proxy-shape.ts'
import { runRecordedCall } from '../../run-recorded-call.ts'
import { mapGeminiServiceTier } from '../gemini/map-gemini-service-tier.ts'
import { observeGeminiStream } from '../gemini/observe-gemini-stream.ts'
import { readGeminiModelName, readGeminiResponse } from '../gemini/read-gemini-response.ts'
import { asFields } from '../read-fields.ts'

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

/** Vertex AI's embedding predictions carry per-input token counts; the Gemini API reports none. */
function embeddingInputTokens(response: unknown): number {
  const embeddings = asFields(response)?.embeddings
  if (!Array.isArray(embeddings)) return 0
  return embeddings.reduce<number>((sum, embedding) => {
    const tokenCount = asFields(asFields(embedding)?.statistics)?.tokenCount
    return (
      sum +
      (typeof tokenCount === 'number' && Number.isInteger(tokenCount) && tokenCount > 0 ? tokenCount : 0)
    )
  }, 0)
}

function recordSettled(
  method: Method,
  tracker: CallTracker,
  promise: Promise<unknown>,
  reporter: ClientShapeInput['session']['reporter'],
) {
  return promise.then(
    (value) => {
      try {
        if (method === 'generateContentStream') {
          if (!isAsyncIterator(value)) {
            tracker.finish({ status: 'success' })
            return value
          }
          return observeAsyncIterator(value, observeGeminiStream(tracker, { finishOnEnd: true }), reporter)
        }
        if (method === 'embedContent') {
          tracker.finish({
            status: 'success',
            usage: { inputTokens: embeddingInputTokens(value), outputTokens: 0 },
          })
          return value
        }
        const facts = readGeminiResponse(value)
        tracker.finish({ status: 'success', model: facts.model, usage: facts.usage })
      } catch (error) {
        reporter.reportInternal('recording a Gemini response', error)
      }
      return value
    },
    (error: unknown) => {
      tracker.finish({ status: 'error', error })
      throw error
    },
  )
}

function createInterceptor(method: Method, input: ClientShapeInput, provider: string) {
  const { session } = input
  return (original: AnyFunction, target: object) =>
    function intercepted(...args: unknown[]) {
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
          return {
            provider,
            requestedModel: readGeminiModelName(params.model),
            streaming: method === 'generateContentStream',
            serviceTier,
            args: cleaned,
          }
        },
        observe(result, tracker) {
          if (!(result instanceof Promise)) {
            session.reporter.reportUnexpected(`@google/genai models.${method} returned a non-promise`)
            return result
          }
          return recordSettled(method, tracker, result, session.reporter)
        },
      })
    }
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
  return {
    bindToTarget: true,
    children: {
      models,
      chats: () => ({ aliases: { modelsModule: () => asFields(input.root())?.models as object } }),
    },
  }
}
