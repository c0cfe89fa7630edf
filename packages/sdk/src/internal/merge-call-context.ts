import { MAX_TAG_LENGTH, MAX_TAGS } from '@ai-cost-profiler/core'
import type { CallContext } from '../call-context.ts'
import { describeValue } from './describe-value.ts'
import { isPlainObject } from './is-plain-object.ts'
import { storableText } from './storable-text.ts'

/** The string fields of a context, each kept whole from the most specific source that sets it. */
export const CONTEXT_STRING_FIELDS = [
  'feature',
  'userId',
  'conversationId',
  'messageId',
  'traceId',
  'spanId',
  'parentSpanId',
] as const

/**
 * Hears what one context handed in held that cannot be recorded (each value left out, with what to
 * pass instead), once per context.
 */
export type InvalidContextListener = (problems: readonly string[]) => void

const WHAT_TO_PASS = 'a string (a number or a bigint is taken as its decimal string)'

/**
 * An id or a tag given as a number or a bigint (numeric database ids are common in JavaScript) as its
 * decimal string, or why it cannot be recorded: any other type, or a whole number past 2^53 - 1,
 * which has lost digits already.
 */
function textOf(name: string, value: unknown): { text: string } | { problem: string } {
  if (typeof value === 'bigint') return { text: value.toString() }
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (Math.abs(value) <= Number.MAX_SAFE_INTEGER) return { text: String(value) }
    return {
      problem: `${name} is ${value}, past ±9007199254740991 (2^53 - 1), so its digits are lost already; pass it as a string or a bigint`,
    }
  }
  const given = typeof value === 'number' ? String(value) : describeValue(value)
  return { problem: `${name} must be ${WHAT_TO_PASS}; got ${given}` }
}

/** `problems` with one more, the list made at the first (a well-formed context makes none). */
function withProblem(problems: string[] | undefined, problem: string): string[] {
  if (problems === undefined) return [problem]
  problems.push(problem)
  return problems
}

/**
 * Merges contexts from the least to the most specific: scalars are overridden, tags and metadata
 * merged. Each context is taken as a user may hand it in from JavaScript: an id or a tag that is a
 * number or a bigint becomes its decimal string; a value of another type (and tags that are not an
 * array, metadata that is not a plain object) is left out and told to `onInvalid`, once per context.
 * `null` is taken as absent. A well-formed context takes no step more than a merge needs.
 */
export function mergeCallContext(
  contexts: ReadonlyArray<CallContext | undefined>,
  onInvalid?: InvalidContextListener,
): CallContext {
  const merged: CallContext = {}
  const tags = new Set<string>()
  let metadata: Record<string, unknown> | undefined
  for (const context of contexts) {
    if (context === undefined || context === null) continue
    let problems: string[] | undefined
    if (typeof context !== 'object') {
      problems = [
        `the context must be an object such as { userId: 'user-42' }; got ${describeValue(context)}`,
      ]
    } else {
      for (const key of CONTEXT_STRING_FIELDS) {
        const value: unknown = context[key]
        if (typeof value === 'string') {
          if (value !== '') merged[key] = value
        } else if (value !== undefined && value !== null) {
          const read = textOf(key, value)
          if ('text' in read) merged[key] = read.text
          else problems = withProblem(problems, read.problem)
        }
      }
      const contextTags: unknown = context.tags
      if (Array.isArray(contextTags)) {
        for (let index = 0; index < contextTags.length; index++) {
          const tag: unknown = contextTags[index]
          if (typeof tag === 'string') {
            if (tag !== '') tags.add(storableText(tag, MAX_TAG_LENGTH))
          } else if (tag !== undefined && tag !== null) {
            const read = textOf(`tags[${index}]`, tag)
            if ('text' in read) tags.add(read.text)
            else problems = withProblem(problems, read.problem)
          }
        }
      } else if (contextTags !== undefined && contextTags !== null) {
        problems = withProblem(
          problems,
          `tags must be an array of strings such as ['beta']; got ${describeValue(contextTags)}`,
        )
      }
      const contextMetadata: unknown = context.metadata
      if (isPlainObject(contextMetadata)) {
        metadata = { ...metadata, ...contextMetadata }
      } else if (contextMetadata !== undefined && contextMetadata !== null) {
        problems = withProblem(
          problems,
          `metadata must be a plain object such as { plan: 'pro' }; got ${describeValue(contextMetadata)}`,
        )
      }
    }
    if (problems !== undefined) onInvalid?.(problems)
  }
  // The server rejects more than MAX_TAGS; keeping the first ones keeps the wrap-level tags.
  if (tags.size > 0) merged.tags = [...tags].slice(0, MAX_TAGS)
  if (metadata) merged.metadata = metadata
  return merged
}

/**
 * A context as it is now, sharing nothing with the caller's objects: `wrap()` options and
 * `defaultContext` are read once, so a later change to them (nested metadata included) records nothing.
 * Metadata that cannot be cloned (it holds a function) is copied at its top level; the call's own
 * check, when it ends, reports what cannot be sent. What cannot be recorded is left out and told to
 * `onInvalid` (see `mergeCallContext`).
 */
export function snapshotCallContext(
  context: CallContext | undefined,
  onInvalid?: InvalidContextListener,
): CallContext {
  const snapshot = mergeCallContext([context], onInvalid)
  if (snapshot.metadata) {
    try {
      snapshot.metadata = structuredClone(snapshot.metadata)
    } catch {
      // The top-level copy mergeCallContext made stands.
    }
  }
  return snapshot
}
