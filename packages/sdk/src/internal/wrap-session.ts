import type { ServiceTier } from '@ai-cost-profiler/core'
import type { CallContext } from '../call-context.ts'
import type { AttemptScope } from './attempt-scope.ts'
import { CallTracker } from './call-tracker.ts'
import type { ErrorReporter } from './error-reporter.ts'
import type { ProxyShape } from './proxy-shape.ts'

/** What a provider call tells the session when it starts. */
export interface StartCallInput {
  /** The provider slug this call is billed by (`openai`, `anthropic`, `google`, `vertex`). */
  provider: string
  requestedModel: string | undefined
  streaming: boolean
  serviceTier?: ServiceTier | undefined
  /** The per-call context option, already removed from the request. */
  callContext: CallContext | undefined
  /** Where the client's counting fetch counts this call's HTTP attempts, when it can. */
  attemptScope?: AttemptScope | undefined
}

/** One `profiler.wrap()`: how its calls start, and where problems go. */
export interface WrapSession {
  readonly reporter: ErrorReporter
  /** A provider slug forced by the wrap options (e.g. an OpenAI-compatible gateway). */
  readonly providerOverride: string | undefined
  startCall(input: StartCallInput): CallTracker
}

/** Options of `createWrapSession`. */
export interface WrapSessionOptions {
  reporter: ErrorReporter
  providerOverride: string | undefined
  /** Resolves the context of a call from its per-call option (defaults, wrap, `withContext`, call). */
  resolveContext: (callContext: CallContext | undefined) => CallContext
  record: ConstructorParameters<typeof CallTracker>[1]
}

/** Creates the session behind one wrapped client. */
export function createWrapSession(options: WrapSessionOptions): WrapSession {
  return {
    reporter: options.reporter,
    providerOverride: options.providerOverride,
    startCall(input) {
      return new CallTracker(
        {
          provider: options.providerOverride ?? input.provider,
          requestedModel: input.requestedModel,
          streaming: input.streaming,
          serviceTier: input.serviceTier,
          context: options.resolveContext(input.callContext),
          attemptScope: input.attemptScope,
        },
        options.record,
      )
    },
  }
}

/** Builds the proxy shape of one provider client for a session. */
export type ClientShapeFactory = (session: WrapSession, client: object, root: () => object) => ProxyShape
