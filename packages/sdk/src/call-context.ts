/**
 * Who and what a call is for. Every field is optional; later sources override earlier ones. From
 * JavaScript, ids and tags given as numbers or bigints are recorded as their decimal strings; values of
 * other types are left out and reported as `INVALID_CONTEXT`.
 */
export interface CallContext {
  /** The product feature that made the call, e.g. `support-chat`. */
  feature?: string | undefined
  userId?: string | undefined
  conversationId?: string | undefined
  messageId?: string | undefined
  traceId?: string | undefined
  spanId?: string | undefined
  parentSpanId?: string | undefined
  /** Free labels; merged (deduplicated) across wrap options, `withContext` and the call. */
  tags?: readonly string[] | undefined
  /** Small JSON-serialisable facts about the call; merged key by key. */
  metadata?: Readonly<Record<string, unknown>> | undefined
}

/** The request-option key that carries a per-call context; it is removed before the request is sent. */
export const CALL_CONTEXT_KEY = 'acp'

/**
 * An opaque request option carrying a per-call context. Typed as having no properties so it can be
 * passed (or spread) wherever a provider SDK accepts request options, without widening its types.
 */
export type CallContextOption = Record<never, never>

/**
 * Builds the per-call context option: pass it as the request options of a wrapped call (or spread it
 * into them), e.g. `openai.chat.completions.create(body, callContext({ messageId }))`.
 */
export function callContext(context: CallContext): CallContextOption {
  return { [CALL_CONTEXT_KEY]: context }
}
