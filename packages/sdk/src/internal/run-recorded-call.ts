import type { ServiceTier } from '@ai-cost-profiler/core'
import type { AttemptScope } from './attempt-scope.ts'
import type { CallTracker } from './call-tracker.ts'
import { classifyError } from './classify-error.ts'
import { extractCallContext, hasCallContext } from './extract-call-context.ts'
import type { AnyFunction } from './proxy-shape.ts'
import { runSafely } from './run-safely.ts'
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
 * How one recorded method plans and observes its calls: made once per method, so a call allocates
 * no callbacks of its own. `Plan` may carry what observing the call needs (e.g. a hidden usage chunk).
 */
export interface CallRecorder<Plan extends CallPlan> {
  readonly session: WrapSession
  /** Decides the call from its arguments, already cleaned of the per-call context (a copy when they had one). */
  plan(args: unknown[]): Plan
  /** Observes the method's result and returns what the caller gets (the same value, or an equivalent wrapper). */
  observe(result: unknown, tracker: CallTracker, plan: Plan): unknown
}

/**
 * Runs one provider call under a tracker. The profiler's own failures fall back to calling the
 * original untouched; a synchronous throw of the original is recorded and rethrown as it is.
 */
export function runRecordedCall(options: RecordedCallOptions): unknown {
  return recordCall(options, options.original, options.target, options.args)
}

/**
 * `runRecordedCall` with a recorder made once per method. `args` is the method's own arguments
 * array (its rest parameter), which the call may pass on.
 */
export function recordCall<Plan extends CallPlan>(
  recorder: CallRecorder<Plan>,
  original: AnyFunction,
  target: object,
  args: unknown[],
): unknown {
  const { session } = recorder
  if (!session.records)
    return original.apply(target, hasCallContext(args) ? extractCallContext(args).args : args)
  let tracker: CallTracker
  let plan: Plan
  try {
    // Most calls carry no per-call context: their arguments are planned as they are, without a copy.
    if (hasCallContext(args)) {
      const extracted = extractCallContext(args)
      plan = recorder.plan(extracted.args)
      tracker = session.startCall(plan, extracted.context)
    } else {
      plan = recorder.plan(args)
      tracker = session.startCall(plan, undefined)
    }
  } catch (error) {
    session.reporter.reportInternal('preparing a call for recording', error)
    return original.apply(target, args)
  }
  let result: unknown
  try {
    result = original.apply(target, plan.args)
  } catch (error) {
    runSafely(session.reporter, 'recording a failed call', () => {
      // Thrown before any request left (the client refused its arguments): a bad request, whatever
      // the error's class says.
      const callError = classifyError(error)
      if (callError.type === 'unknown') callError.type = 'invalid_request'
      tracker.finish({ status: 'error', callError })
    })
    throw error
  }
  try {
    return recorder.observe(result, tracker, plan)
  } catch (error) {
    // Not abandoned: handlers the observer attached before it failed may still record the call.
    session.reporter.reportInternal('observing a call', error)
    return result
  }
}
