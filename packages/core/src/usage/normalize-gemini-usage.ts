import { positiveOrUndefined, readTokenCount } from './read-token-count.ts'
import { reconcileUsageParts } from './reconcile-usage-parts.ts'
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

/**
 * The tokens of one modality in a `*TokensDetails` list. Anything else in its place (an object, a
 * string, entries that are not objects) says nothing usable and counts as none: the payload is not
 * typed at run time, and a normaliser never throws.
 */
function modalityTokens(details: unknown, modality: string): number {
  if (!Array.isArray(details)) return 0
  let total = 0
  for (const entry of details as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue
    const { modality: entryModality, tokenCount } = entry as GeminiModalityTokenCount
    if (entryModality === modality) total += readTokenCount(tokenCount)
  }
  return total
}

/**
 * Maps Gemini usage to the core buckets. `promptTokenCount` already includes cached content;
 * tool-use prompt tokens are input the model read too, so they are added. Thoughts are counted
 * outside `candidatesTokenCount`, so they are added to output and reported as reasoning. A part
 * reported larger than its whole grows the whole (see `reconcileUsageParts`).
 */
export function normalizeGeminiUsage(payload: GeminiUsagePayload): UsageBuckets {
  // Untyped at run time: anything but an object reads as no usage.
  const usage: GeminiUsagePayload = typeof payload === 'object' && payload !== null ? payload : {}
  const thoughtsTokens = readTokenCount(usage.thoughtsTokenCount)
  const inputTokens = readTokenCount(usage.promptTokenCount) + readTokenCount(usage.toolUsePromptTokenCount)
  const outputTokens = readTokenCount(usage.candidatesTokenCount) + thoughtsTokens
  const inputModalityTokens = (modality: string) =>
    modalityTokens(usage.promptTokensDetails, modality) +
    modalityTokens(usage.toolUsePromptTokensDetails, modality)

  // The audio and image parts are the uncached ones: the prompt's details include what came from the
  // cache, which is billed as a cache read (at the text cache price, see the Google catalogue).
  const uncached = (modality: string) =>
    Math.max(0, inputModalityTokens(modality) - modalityTokens(usage.cacheTokensDetails, modality))

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
  return reconcileUsageParts(buckets)
}
