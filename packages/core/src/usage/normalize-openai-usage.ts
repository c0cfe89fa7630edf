import { positiveOrUndefined, readTokenCount } from './read-token-count.ts'
import { reconcileUsageParts } from './reconcile-usage-parts.ts'
import type { UsageBuckets } from './usage-buckets.ts'

/**
 * The `usage` object of an OpenAI response, in any of its three shapes: Chat Completions
 * (`prompt_tokens` / `completion_tokens`), Responses (`input_tokens` / `output_tokens`) and
 * Embeddings (`prompt_tokens` / `total_tokens`).
 */
export interface OpenAiUsagePayload {
  prompt_tokens?: number | null
  completion_tokens?: number | null
  total_tokens?: number | null
  prompt_tokens_details?: {
    cached_tokens?: number | null
    cache_write_tokens?: number | null
    audio_tokens?: number | null
    image_tokens?: number | null
  } | null
  completion_tokens_details?: {
    reasoning_tokens?: number | null
    audio_tokens?: number | null
    image_tokens?: number | null
  } | null
  input_tokens?: number | null
  output_tokens?: number | null
  input_tokens_details?: {
    cached_tokens?: number | null
    cache_write_tokens?: number | null
    audio_tokens?: number | null
    image_tokens?: number | null
  } | null
  output_tokens_details?: {
    reasoning_tokens?: number | null
    audio_tokens?: number | null
    image_tokens?: number | null
  } | null
}

/**
 * Maps OpenAI usage to the core buckets. OpenAI already counts cached prompt tokens (read or
 * written) inside the prompt and reasoning tokens inside the completion, so the wholes are taken as
 * reported; a compatible provider that counts a part outside its whole (reasoning beyond
 * `completion_tokens`, say) has the whole grown by it (see `reconcileUsageParts`).
 */
export function normalizeOpenAiUsage(payload: OpenAiUsagePayload): UsageBuckets {
  // Untyped at run time: anything but an object reads as no usage.
  const usage: OpenAiUsagePayload = typeof payload === 'object' && payload !== null ? payload : {}
  // The Responses API names the wholes input/output; Chat Completions and Embeddings prompt/completion.
  const isResponsesShape = usage.input_tokens != null || usage.output_tokens != null
  const inputDetails = isResponsesShape ? usage.input_tokens_details : usage.prompt_tokens_details
  const outputDetails = isResponsesShape ? usage.output_tokens_details : usage.completion_tokens_details
  const inputTokens = readTokenCount(isResponsesShape ? usage.input_tokens : usage.prompt_tokens)
  const outputTokens = readTokenCount(isResponsesShape ? usage.output_tokens : usage.completion_tokens)

  const buckets: UsageBuckets = { inputTokens, outputTokens }
  const parts = {
    cacheReadInputTokens: positiveOrUndefined(readTokenCount(inputDetails?.cached_tokens)),
    // Models with a cache-write price report the prompt tokens written to the cache.
    cacheWriteInputTokens: positiveOrUndefined(readTokenCount(inputDetails?.cache_write_tokens)),
    inputAudioTokens: positiveOrUndefined(readTokenCount(inputDetails?.audio_tokens)),
    inputImageTokens: positiveOrUndefined(readTokenCount(inputDetails?.image_tokens)),
    reasoningTokens: positiveOrUndefined(readTokenCount(outputDetails?.reasoning_tokens)),
    outputAudioTokens: positiveOrUndefined(readTokenCount(outputDetails?.audio_tokens)),
    outputImageTokens: positiveOrUndefined(readTokenCount(outputDetails?.image_tokens)),
  }
  for (const [name, value] of Object.entries(parts)) {
    if (value !== undefined) buckets[name as keyof typeof parts] = value
  }
  return reconcileUsageParts(buckets)
}
