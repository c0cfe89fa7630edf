import { positiveOrUndefined, readTokenCount } from './read-token-count.ts'
import { reconcileUsageParts } from './reconcile-usage-parts.ts'
import type { UsageBuckets } from './usage-buckets.ts'

/** The token counts of an Anthropic usage object, or of one entry of its `iterations`. */
interface AnthropicTokenCounts {
  input_tokens?: number | null
  output_tokens?: number | null
  cache_read_input_tokens?: number | null
  cache_creation_input_tokens?: number | null
  cache_creation?: {
    ephemeral_5m_input_tokens?: number | null
    ephemeral_1h_input_tokens?: number | null
  } | null
}

/** The `usage` object of an Anthropic message (or the merged usage of a message stream). */
export interface AnthropicUsagePayload extends AnthropicTokenCounts {
  /** Reasoning, always part of `output_tokens`. */
  output_tokens_details?: { thinking_tokens?: number | null } | null
  /**
   * Per-iteration usage (beta). `message` entries are inside the top-level counts; a `compaction`
   * entry (the server summarising a long context) is not, and is billed on top of them.
   */
  iterations?: ReadonlyArray<AnthropicTokenCounts & { type?: string | null }> | null
}

interface InputCounts {
  uncached: number
  cacheRead: number
  /** Every cache write, of either lifetime. */
  cacheWrite: number
  cacheWrite1h: number
}

// Anthropic's `input_tokens` excludes cache reads and cache writes. Cache writes are split into
// 5-minute and 1-hour writes when `cache_creation` says so; the total is authoritative when both are
// present, the split only says how it divides.
function readInputCounts(counts: AnthropicTokenCounts): InputCounts {
  const split = counts.cache_creation
  const write1hTokens = readTokenCount(split?.ephemeral_1h_input_tokens)
  const splitTotal = readTokenCount(split?.ephemeral_5m_input_tokens) + write1hTokens
  const cacheWrite =
    counts.cache_creation_input_tokens == null
      ? splitTotal
      : readTokenCount(counts.cache_creation_input_tokens)
  return {
    uncached: readTokenCount(counts.input_tokens),
    cacheRead: readTokenCount(counts.cache_read_input_tokens),
    cacheWrite,
    cacheWrite1h: Math.min(write1hTokens, cacheWrite),
  }
}

/**
 * Maps Anthropic usage to the core buckets. Anthropic's `input_tokens` excludes cache reads and
 * cache writes, so they are added to make `inputTokens` all input. Cache writes are split into
 * 5-minute and 1-hour writes when `cache_creation` says so; without it every write is 5-minute
 * (the only TTL before the split was reported). Thinking tokens (`output_tokens_details`) are the
 * reasoning part of the output; the tokens of `compaction` iterations are added to the call's.
 */
export function normalizeAnthropicUsage(payload: AnthropicUsagePayload): UsageBuckets {
  // Untyped at run time: anything but an object reads as no usage.
  const usage: AnthropicUsagePayload = typeof payload === 'object' && payload !== null ? payload : {}
  const input = readInputCounts(usage)
  let outputTokens = readTokenCount(usage.output_tokens)
  const iterations = Array.isArray(usage.iterations) ? usage.iterations : []
  for (const iteration of iterations) {
    if (typeof iteration !== 'object' || iteration === null || iteration.type !== 'compaction') continue
    const compaction = readInputCounts(iteration)
    input.uncached += compaction.uncached
    input.cacheRead += compaction.cacheRead
    input.cacheWrite += compaction.cacheWrite
    input.cacheWrite1h += compaction.cacheWrite1h
    outputTokens += readTokenCount(iteration.output_tokens)
  }

  const buckets: UsageBuckets = {
    inputTokens: input.uncached + input.cacheRead + input.cacheWrite,
    outputTokens,
  }
  const cacheRead = positiveOrUndefined(input.cacheRead)
  const write5m = positiveOrUndefined(input.cacheWrite - input.cacheWrite1h)
  const write1h = positiveOrUndefined(input.cacheWrite1h)
  // Always within the output (Anthropic bills it as output): a larger count is capped, not added.
  const thinkingTokens = readTokenCount(usage.output_tokens_details?.thinking_tokens)
  const reasoning = positiveOrUndefined(Math.min(thinkingTokens, readTokenCount(usage.output_tokens)))
  if (cacheRead !== undefined) buckets.cacheReadInputTokens = cacheRead
  if (write5m !== undefined) buckets.cacheWriteInputTokens = write5m
  if (write1h !== undefined) buckets.cacheWrite1hInputTokens = write1h
  if (reasoning !== undefined) buckets.reasoningTokens = reasoning
  // Parts here never exceed their whole; this caps corrupt counts at the schema's limit.
  return reconcileUsageParts(buckets)
}
