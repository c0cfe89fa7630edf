import { type AnthropicUsagePayload, normalizeAnthropicUsage } from '@ai-cost-profiler/core'
import { CALL_CONTEXT_KEY, type CallContext } from '../../../call-context.ts'
import { classifyError } from '../../classify-error.ts'
import type { ClientShapeInput } from '../../client-shape-input.ts'
import { invalidContextReporter } from '../../invalid-context-reporter.ts'
import { mergeCallContext } from '../../merge-call-context.ts'
import type { ProxyShape } from '../../proxy-shape.ts'
import { runRecordedCall } from '../../run-recorded-call.ts'
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
import { mapAnthropicServiceTier } from './map-anthropic-service-tier.ts'
import { observeAnthropicStream } from './observe-anthropic-stream.ts'

function createInterceptor({ session, client, countsAttempts }: ClientShapeInput) {
  // Made once per method: a call allocates no observer of its own.
  const parsed: ParsedResultObserver<undefined> = {
    onData(data, tracker) {
      if (isStainlessStream(data)) {
        const observer = observeAnthropicStream(tracker, () => data.controller.signal.aborted)
        return observeStainlessStream(data, observer, { client, session, tracker })
      }
      const message = asFields(data) ?? {}
      if (message.type === 'error') {
        // An error body answered with a 200 (by a proxy or gateway), which the SDK returns as the message.
        const error = asFields(message.error) ?? {}
        tracker.finish({
          status: 'error',
          callError: classifyError({
            type: readString(error.type),
            message: readString(error.message) ?? 'error',
          }),
        })
        return data
      }
      const usage = asFields(message.usage)
      tracker.finish({
        status: 'success',
        model: readString(message.model),
        usage: usage ? normalizeAnthropicUsage(usage as AnthropicUsagePayload) : undefined,
        serviceTier: mapAnthropicServiceTier(usage),
      })
      return data
    },
    observeRawStream: (tracker, isAborted) => observeAnthropicStream(tracker, isAborted),
  }
  return (original: (...args: unknown[]) => unknown, target: object) => {
    return function create(...args: unknown[]) {
      return runRecordedCall({
        session,
        original,
        target,
        args,
        plan(cleaned) {
          const body = asFields(cleaned[0]) ?? {}
          const counted = countsAttempts ? attachAttemptScope(cleaned[1]) : undefined
          // The request's service_tier (auto / standard_only) and speed are preferences; the tier and speed
          // billed are in the response's usage.
          return {
            provider: 'anthropic',
            requestedModel: readString(body.model),
            streaming: body.stream === true,
            args: counted ? [cleaned[0], counted.requestOptions, ...cleaned.slice(2)] : cleaned,
            attemptScope: counted?.scope,
          }
        },
        observe(result, tracker) {
          if (!isStainlessApiPromise(result)) {
            session.reporter.reportUnexpected(
              '@anthropic-ai/sdk messages.create returned something other than an APIPromise',
            )
            tracker.abandon()
            return result
          }
          // Observed in place: the caller gets the very promise (and stream) the SDK returned.
          return observeApiPromiseInPlace(result, tracker, session.reporter, parsed, undefined)
        },
      })
    }
  }
}

/**
 * `beta.messages.toolRunner()` sends its requests only when it is iterated, which may happen outside the
 * `withContext()` it was made in: the context in scope when it is made goes along as its per-call
 * option, which the runner passes to every request it sends.
 */
function toolRunnerInterceptor({ session }: ClientShapeInput) {
  return (original: (...args: unknown[]) => unknown, target: object) =>
    function toolRunner(this: unknown, ...args: unknown[]) {
      // Called on the wrapped resource, whose `_client` is the wrapped client the runner must send through.
      const self = typeof this === 'object' && this !== null ? this : target
      if (!session.records) return original.apply(self, args)
      const scoped = session.scopedContext()
      const options = asFields(args[1])
      const own = options?.[CALL_CONTEXT_KEY] as CallContext | undefined
      if (scoped === undefined && own === undefined) return original.apply(self, args)
      // Checked here, once, rather than at each request the runner sends with it.
      const context = mergeCallContext(
        [scoped, own],
        invalidContextReporter(session.reporter, 'the per-call context (acp option) of toolRunner()'),
      )
      return original.apply(self, [args[0], { ...options, [CALL_CONTEXT_KEY]: context }, ...args.slice(2)])
    }
}

/**
 * The parts of an `@anthropic-ai/sdk` client that are recorded: `messages.create` and
 * `beta.messages.create`. `messages.stream()`, `parse()` and the tool runner call `create` on the
 * wrapped resource, so they count once. `countTokens` (free) is not recorded, only stripped of the
 * per-call context option.
 */
export function anthropicClientShape(input: ClientShapeInput): ProxyShape {
  const aliases = { _client: input.root }
  const messages = (): ProxyShape => ({
    aliases,
    intercept: { create: createInterceptor(input), countTokens: stripCallContext },
  })
  const betaMessages = (): ProxyShape => {
    const shape = messages()
    return { ...shape, intercept: { ...shape.intercept, toolRunner: toolRunnerInterceptor(input) } }
  }
  return {
    bindToTarget: true,
    intercept: {
      withOptions: (original, target) =>
        function withOptions(...args: unknown[]) {
          return input.rewrap(original.apply(target, args))
        },
    },
    children: {
      messages,
      beta: () => ({ aliases, children: { messages: betaMessages } }),
    },
  }
}
