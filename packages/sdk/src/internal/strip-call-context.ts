import { extractCallContext, hasCallContext } from './extract-call-context.ts'
import type { AnyFunction } from './proxy-shape.ts'

/**
 * The interceptor of a method that is not recorded yet is called with a recorded call's arguments
 * (token counting, with the body about to be sent): the per-call context option is removed, so the
 * provider never receives it (Anthropic refuses a body field it does not know). Arguments without it
 * are passed on as they are.
 */
export function stripCallContext(original: AnyFunction, target: object): AnyFunction {
  return function withoutCallContext(...args: unknown[]) {
    return original.apply(target, hasCallContext(args) ? extractCallContext(args).args : args)
  }
}
