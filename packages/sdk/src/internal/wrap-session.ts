import type { ServiceTier } from '@ai-cost-profiler/core'
import type { CallContext } from '../call-context.ts'
import type { AttemptScope } from './attempt-scope.ts'
import { type CallLedger, CallTracker } from './call-tracker.ts'
import type { ErrorReporter } from './error-reporter.ts'
import type { ProxyShape } from './proxy-shape.ts'

/** What a provider call tells the session when it starts (the fields of its `CallPlan`). */
export interface StartCallInput {
  /** The provider slug this call is billed by (`openai`, `anthropic`, `google`, `vertex`). */
  provider: string
  requestedModel: string | undefined
  streaming: boolean
  serviceTier?: ServiceTier | undefined
  /** Where the client's counting fetch counts this call's HTTP attempts, when it can. */
  attemptScope?: AttemptScope | undefined
}

/** One `profiler.wrap()`: how its calls start, and where problems go. */
export interface WrapSession {
  readonly reporter: ErrorReporter
  /**
   * False for a disabled profiler's proxy: its calls only lose the per-call context option, which must
   * never reach the provider, and are otherwise passed on untouched and not recorded.
   */
  readonly records: boolean
  /** A provider slug forced by the wrap options (e.g. an OpenAI-compatible gateway). */
  readonly providerOverride: string | undefined
  /** Starts a call from its plan and its per-call context option (already removed from the request). */
  startCall(input: StartCallInput, callContext: CallContext | undefined): CallTracker
  /**
   * Runs `fn` with a per-call context in scope, for helpers that build the recorded call's arguments
   * themselves (e.g. @google/genai's `chat.sendMessage`) and so drop the option they were given.
   */
  runInCallContext<T>(callContext: CallContext, fn: () => T): T
  /** The `withContext()` context in scope now, if any. */
  scopedContext(): CallContext | undefined
  /**
   * Takes work that still finishes a call after the caller got its answer (reading the usage chunk
   * of a stream left early); `flush()` and `shutdown()` wait for it, so its event is not left behind.
   */
  trackFinishing(work: Promise<void>): void
}

/** Options of `createWrapSession`. */
export interface WrapSessionOptions {
  reporter: ErrorReporter
  /** See `WrapSession.records`. Default true. */
  records?: boolean
  providerOverride: string | undefined
  /** Resolves the context of a call from its per-call option (defaults, wrap, `withContext`, call). */
  resolveContext: (callContext: CallContext | undefined) => CallContext
  /** Takes each finished call (see `CallTracker`). */
  onFinish: (call: CallTracker) => void
  /** Told as each call starts and as it ends, recorded or not (see `CallLedger`). Default: nothing. */
  onStart?: (call: CallTracker) => void
  onEnd?: (call: CallTracker) => void
  /** Runs `fn` with `callContext` as the innermost scoped context (see `WrapSession.runInCallContext`). */
  runInCallContext: <T>(callContext: CallContext, fn: () => T) => T
  /** See `WrapSession.scopedContext`. Default: none. */
  scopedContext?: () => CallContext | undefined
  /** See `WrapSession.trackFinishing`. Default: nothing waits for such work. */
  trackFinishing?: (work: Promise<void>) => void
}

/** Creates the session behind one wrapped client. */
export function createWrapSession(options: WrapSessionOptions): WrapSession {
  const { providerOverride, resolveContext, onFinish } = options
  const calls: CallLedger = {
    started: options.onStart ?? (() => undefined),
    finished: onFinish,
    ended: options.onEnd ?? (() => undefined),
  }
  return {
    reporter: options.reporter,
    records: options.records ?? true,
    providerOverride,
    runInCallContext: options.runInCallContext,
    scopedContext: options.scopedContext ?? (() => undefined),
    trackFinishing: options.trackFinishing ?? (() => undefined),
    startCall: (input, callContext) =>
      new CallTracker(
        providerOverride ?? input.provider,
        input.requestedModel,
        input.streaming,
        input.serviceTier,
        resolveContext(callContext),
        input.attemptScope,
        calls,
      ),
  }
}

/** Builds the proxy shape of one provider client for a session. */
export type ClientShapeFactory = (session: WrapSession, client: object, root: () => object) => ProxyShape
