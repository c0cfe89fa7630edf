import type { ServiceTier } from '@ai-cost-profiler/core'
import type { AttemptScope } from './attempt-scope.ts'
import type { CallTracker } from './call-tracker.ts'
import { extractCallContext } from './extract-call-context.ts'
import type { AnyFunction } from './proxy-shape.ts'
import type { WrapSession } from './wrap-session.ts'

/** How a provider method is about to be called, decided from its (cleaned) arguments. */
export interface CallPlan {
  provider: string
  requestedModel: string | undefined
  streaming: boolean
  serviceTier?: ServiceTier | undefined
  /** The arguments the original method receives (may differ, e.g. OpenAI's `include_usage`). */
  args: unknown[]
  /** Where the client's counting fetch counts the call's HTTP attempts (see `attachAttemptScope`). */
  attemptScope?: AttemptScope | undefined
}

/** Options of `runRecordedCall`. */
export interface RecordedCallOptions {
  session: WrapSession
  original: AnyFunction
  /** `this` for the original method. */
  target: object
  args: unknown[]
  plan: (args: unknown[]) => CallPlan
  /** Observes the method's result and returns what the caller gets (the same value, or an equivalent wrapper). */
  observe: (result: unknown, tracker: CallTracker, plan: CallPlan) => unknown
}

/**
 * Runs one provider call under a tracker. The profiler's own failures fall back to calling the
 * original untouched; a synchronous throw of the original is recorded and rethrown as it is.
 */
export function runRecordedCall(options: RecordedCallOptions): unknown {
  const { session, original, target } = options
  let tracker: CallTracker
  let plan: CallPlan
  try {
    const extracted = extractCallContext(options.args)
    plan = options.plan(extracted.args)
    // Field by field: `{ ...plan, callContext }` is a slow shape on Node 20 (see `spreadMerge`).
    tracker = session.startCall({
      provider: plan.provider,
      requestedModel: plan.requestedModel,
      streaming: plan.streaming,
      serviceTier: plan.serviceTier,
      callContext: extracted.context,
      attemptScope: plan.attemptScope,
    })
  } catch (error) {
    session.reporter.reportInternal('preparing a call for recording', error)
    return original.apply(target, options.args)
  }
  let result: unknown
  try {
    result = original.apply(target, plan.args)
  } catch (error) {
    tracker.finish({ status: 'error', error })
    throw error
  }
  try {
    return options.observe(result, tracker, plan)
  } catch (error) {
    session.reporter.reportInternal('observing a call', error)
    return result
  }
}
