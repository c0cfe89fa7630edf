import type { ServiceTier } from '@ai-cost-profiler/core'
import type { CallContext } from '../call-context.ts'
import type { AttemptScope } from './attempt-scope.ts'
import { type CallSink, CallTracker } from './call-tracker.ts'
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

/** What a call's plan tells the session when it starts (see `CallPlan`). */
export type StartCallPlan = Omit<StartCallInput, 'callContext'>

/** One `profiler.wrap()`: how its calls start, and where problems go. */
export interface WrapSession {
  readonly reporter: ErrorReporter
  /** A provider slug forced by the wrap options (e.g. an OpenAI-compatible gateway). */
  readonly providerOverride: string | undefined
  startCall(input: StartCallInput): CallTracker
  /** `startCall` for a plan and the call's own context, without building an input object per call. */
  startPlannedCall(plan: StartCallPlan, callContext: CallContext | undefined): CallTracker
}

/**
 * Options of `createWrapSession`. A finished call goes to `record` as its event, built at once, or,
 * when `enqueue` is given, to `enqueue` as the finished `CallTracker`, whose event is built later.
 */
export type WrapSessionOptions = {
  reporter: ErrorReporter
  providerOverride: string | undefined
  /** Resolves the context of a call from its per-call option (defaults, wrap, `withContext`, call). */
  resolveContext: (callContext: CallContext | undefined) => CallContext
} & CallSink

/** Creates the session behind one wrapped client. */
export function createWrapSession(options: WrapSessionOptions): WrapSession {
  const { providerOverride, resolveContext } = options
  // One sink for every call of the session, read by each tracker when its call ends.
  const sink: CallSink = options.enqueue ? { enqueue: options.enqueue } : { record: options.record }
  const startPlannedCall = (plan: StartCallPlan, callContext: CallContext | undefined) =>
    new CallTracker(
      providerOverride ?? plan.provider,
      plan.requestedModel,
      plan.streaming,
      plan.serviceTier,
      resolveContext(callContext),
      plan.attemptScope,
      sink,
    )
  return {
    reporter: options.reporter,
    providerOverride,
    startCall: (input) => startPlannedCall(input, input.callContext),
    startPlannedCall,
  }
}

/** Builds the proxy shape of one provider client for a session. */
export type ClientShapeFactory = (session: WrapSession, client: object, root: () => object) => ProxyShape
