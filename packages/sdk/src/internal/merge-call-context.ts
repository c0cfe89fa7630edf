import { MAX_TAG_LENGTH, MAX_TAGS } from '@ai-cost-profiler/core'
import type { CallContext } from '../call-context.ts'
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

/** Merges contexts from the least to the most specific: scalars are overridden, tags and metadata merged. */
export function mergeCallContext(...contexts: ReadonlyArray<CallContext | undefined>): CallContext {
  const merged: CallContext = {}
  const tags = new Set<string>()
  let metadata: Record<string, unknown> | undefined
  for (const context of contexts) {
    if (!context) continue
    for (const key of CONTEXT_STRING_FIELDS) {
      const value = context[key]
      if (typeof value === 'string' && value !== '') merged[key] = value
    }
    for (const tag of Array.isArray(context.tags) ? context.tags : []) {
      if (typeof tag === 'string' && tag !== '') tags.add(storableText(tag, MAX_TAG_LENGTH))
    }
    if (context.metadata && typeof context.metadata === 'object') {
      metadata = { ...metadata, ...context.metadata }
    }
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
 * check, when it ends, reports what cannot be sent.
 */
export function snapshotCallContext(context: CallContext | undefined): CallContext {
  const snapshot = mergeCallContext(context)
  if (snapshot.metadata) {
    try {
      snapshot.metadata = structuredClone(snapshot.metadata)
    } catch {
      // The top-level copy mergeCallContext made stands.
    }
  }
  return snapshot
}
