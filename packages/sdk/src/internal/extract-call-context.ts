import { CALL_CONTEXT_KEY, type CallContext } from '../call-context.ts'
import { isPlainObject } from './is-plain-object.ts'
import { spreadMerge } from './spread-merge.ts'

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
    cleaned[index] = rest
  }
  return { args: cleaned, context }
}
