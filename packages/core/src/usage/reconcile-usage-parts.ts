import { MAX_TOKENS_PER_BUCKET, type UsageBuckets } from './usage-buckets.ts'

type Whole = 'inputTokens' | 'outputTokens'

const CACHE_PARTS = ['cacheReadInputTokens', 'cacheWriteInputTokens', 'cacheWrite1hInputTokens'] as const
const OTHER_PARTS: ReadonlyArray<readonly [Exclude<keyof UsageBuckets, Whole>, Whole]> = [
  ['inputAudioTokens', 'inputTokens'],
  ['inputImageTokens', 'inputTokens'],
  ['reasoningTokens', 'outputTokens'],
  ['outputAudioTokens', 'outputTokens'],
  ['outputImageTokens', 'outputTokens'],
]

/**
 * Makes normalised usage consistent, so its event is never refused as `PART_EXCEEDS_WHOLE`. The rule:
 * a part larger than its whole was evidently reported outside it (some OpenAI-compatible providers
 * count reasoning outside `completion_tokens`, or cached tokens outside `prompt_tokens`), so the whole
 * becomes whole + part. The cache parts are one part of the input together, as `findUsageProblems`
 * checks them. A corrupt payload with counts beyond `MAX_TOKENS_PER_BUCKET` is capped there, every
 * part within its whole. Changes `usage` in place and returns it.
 */
export function reconcileUsageParts(usage: UsageBuckets): UsageBuckets {
  const cacheTotal = CACHE_PARTS.reduce((sum, part) => sum + (usage[part] ?? 0), 0)
  if (cacheTotal > usage.inputTokens) usage.inputTokens += cacheTotal
  for (const [part, whole] of OTHER_PARTS) {
    const count = usage[part]
    if (count !== undefined && count > usage[whole]) usage[whole] += count
  }
  if (usage.inputTokens > MAX_TOKENS_PER_BUCKET || usage.outputTokens > MAX_TOKENS_PER_BUCKET) {
    capAtLimit(usage)
  }
  return usage
}

function capAtLimit(usage: UsageBuckets): void {
  usage.inputTokens = Math.min(usage.inputTokens, MAX_TOKENS_PER_BUCKET)
  usage.outputTokens = Math.min(usage.outputTokens, MAX_TOKENS_PER_BUCKET)
  let cacheRoom = usage.inputTokens
  for (const part of CACHE_PARTS) {
    const count = usage[part]
    if (count === undefined) continue
    usage[part] = Math.min(count, cacheRoom)
    cacheRoom -= usage[part]
  }
  for (const [part, whole] of OTHER_PARTS) {
    const count = usage[part]
    if (count !== undefined) usage[part] = Math.min(count, usage[whole])
  }
}
