import { positiveOrUndefined, readTokenCount } from './read-token-count.ts'
import type { UsageBuckets } from './usage-buckets.ts'

/** Tokens of one modality, as in Gemini's `*TokensDetails` lists. */
export interface GeminiModalityTokenCount {
  modality?: string | null
  tokenCount?: number | null
}

/** The `usageMetadata` of a Gemini (Gemini API or Vertex AI) response, camelCase as the SDKs return it. */
export interface GeminiUsagePayload {
  promptTokenCount?: number | null
  candidatesTokenCount?: number | null
  totalTokenCount?: number | null
  cachedContentTokenCount?: number | null
  thoughtsTokenCount?: number | null
  toolUsePromptTokenCount?: number | null
  promptTokensDetails?: readonly GeminiModalityTokenCount[] | null
  /** The cached part of the prompt by modality (within `cachedContentTokenCount`). */
  cacheTokensDetails?: readonly GeminiModalityTokenCount[] | null
  candidatesTokensDetails?: readonly GeminiModalityTokenCount[] | null
  toolUsePromptTokensDetails?: readonly GeminiModalityTokenCount[] | null
}

function modalityTokens(details: readonly GeminiModalityTokenCount[] | null | undefined, modality: string) {
  let total = 0
  for (const entry of details ?? []) {
    if (entry?.modality === modality) total += readTokenCount(entry.tokenCount)
  }
  return total
}

/**
 * Maps Gemini usage to the core buckets. `promptTokenCount` already includes cached content;
 * tool-use prompt tokens are input the model read too, so they are added. Thoughts are counted
 * outside `candidatesTokenCount`, so they are added to output and reported as reasoning.
 */
export function normalizeGeminiUsage(usage: GeminiUsagePayload): UsageBuckets {
  const thoughtsTokens = readTokenCount(usage.thoughtsTokenCount)
  const inputTokens = readTokenCount(usage.promptTokenCount) + readTokenCount(usage.toolUsePromptTokenCount)
  const outputTokens = readTokenCount(usage.candidatesTokenCount) + thoughtsTokens
  const inputDetails = [...(usage.promptTokensDetails ?? []), ...(usage.toolUsePromptTokensDetails ?? [])]

  // The audio and image parts are the uncached ones: the prompt's details include what came from the
  // cache, which is billed as a cache read (at the text cache price, see the Google catalogue).
  const uncached = (modality: string) =>
    Math.max(0, modalityTokens(inputDetails, modality) - modalityTokens(usage.cacheTokensDetails, modality))

  const buckets: UsageBuckets = { inputTokens, outputTokens }
  const parts = {
    cacheReadInputTokens: positiveOrUndefined(readTokenCount(usage.cachedContentTokenCount)),
    reasoningTokens: positiveOrUndefined(thoughtsTokens),
    inputAudioTokens: positiveOrUndefined(uncached('AUDIO')),
    inputImageTokens: positiveOrUndefined(uncached('IMAGE')),
    outputAudioTokens: positiveOrUndefined(modalityTokens(usage.candidatesTokensDetails, 'AUDIO')),
    outputImageTokens: positiveOrUndefined(modalityTokens(usage.candidatesTokensDetails, 'IMAGE')),
  }
  for (const [name, value] of Object.entries(parts)) {
    if (value !== undefined) buckets[name as keyof typeof parts] = value
  }
  return buckets
}
