import { positiveOrUndefined, readTokenCount } from './read-token-count.ts'
import { reconcileUsageParts } from './reconcile-usage-parts.ts'
import type { UsageBuckets } from './usage-buckets.ts'

/** The `usage` object of an Anthropic message (or the merged usage of a message stream). */
export interface AnthropicUsagePayload {
  input_tokens?: number | null
  output_tokens?: number | null
  cache_read_input_tokens?: number | null
  cache_creation_input_tokens?: number | null
  cache_creation?: {
    ephemeral_5m_input_tokens?: number | null
    ephemeral_1h_input_tokens?: number | null
  } | null
}

/**
 * Maps Anthropic usage to the core buckets. Anthropic's `input_tokens` excludes cache reads and
 * cache writes, so they are added to make `inputTokens` all input. Cache writes are split into
 * 5-minute and 1-hour writes when `cache_creation` says so; without it every write is 5-minute
 * (the only TTL before the split was reported).
 */
export function normalizeAnthropicUsage(payload: AnthropicUsagePayload): UsageBuckets {
  // Untyped at run time: anything but an object reads as no usage.
  const usage: AnthropicUsagePayload = typeof payload === 'object' && payload !== null ? payload : {}
  const uncachedInputTokens = readTokenCount(usage.input_tokens)
  const cacheReadTokens = readTokenCount(usage.cache_read_input_tokens)
  const split = usage.cache_creation
  const write1hTokens = readTokenCount(split?.ephemeral_1h_input_tokens)
  const splitTotal = readTokenCount(split?.ephemeral_5m_input_tokens) + write1hTokens
  // The total is authoritative when both are present; the split only says how it divides.
  const cacheWriteTotal =
    usage.cache_creation_input_tokens == null ? splitTotal : readTokenCount(usage.cache_creation_input_tokens)
  const oneHourTokens = Math.min(write1hTokens, cacheWriteTotal)

  const buckets: UsageBuckets = {
    inputTokens: uncachedInputTokens + cacheReadTokens + cacheWriteTotal,
    outputTokens: readTokenCount(usage.output_tokens),
  }
  const cacheRead = positiveOrUndefined(cacheReadTokens)
  const write5m = positiveOrUndefined(cacheWriteTotal - oneHourTokens)
  const write1h = positiveOrUndefined(oneHourTokens)
  if (cacheRead !== undefined) buckets.cacheReadInputTokens = cacheRead
  if (write5m !== undefined) buckets.cacheWriteInputTokens = write5m
  if (write1h !== undefined) buckets.cacheWrite1hInputTokens = write1h
  // Parts here never exceed their whole; this caps corrupt counts at the schema's limit.
  return reconcileUsageParts(buckets)
}
