import { CALL_CONTEXT_KEY, type CallContext } from '../call-context.ts'
import { isPlainObject } from './is-plain-object.ts'
import { spreadMerge } from './spread-merge.ts'

function carriesCallContext(argument: unknown): boolean {
  return isPlainObject(argument) && Object.hasOwn(argument, CALL_CONTEXT_KEY)
}

/** True when `extractCallContext` would find a per-call context option (and so copy the arguments). */
export function hasCallContext(args: readonly unknown[]): boolean {
  return (args.length > 0 && carriesCallContext(args[0])) || (args.length > 1 && carriesCallContext(args[1]))
}

/**
 * Removes the per-call context option from the arguments of a provider call, so the provider never
 * sees it. Only the first two arguments are searched: every supported method takes its body and its
 * request options there. Arguments without the key are passed on as the same objects.
 */
export function extractCallContext(args: readonly unknown[]): {
  args: unknown[]
  context: CallContext | undefined
} {
  let context: CallContext | undefined
  const cleaned = [...args]
  for (let index = 0; index < Math.min(2, cleaned.length); index++) {
    const argument = cleaned[index]
    if (!isPlainObject(argument) || !Object.hasOwn(argument, CALL_CONTEXT_KEY)) continue
    const { [CALL_CONTEXT_KEY]: value, ...rest } = argument
    if (isPlainObject(value)) context = spreadMerge(context, value as CallContext)
    // Handed on as it is, so that merging the call's context reports it rather than losing it unsaid.
    else if (value !== undefined && value !== null) context ??= value as CallContext
    cleaned[index] = rest
  }
  return { args: cleaned, context }
}
