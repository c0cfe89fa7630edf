import { z } from 'zod'

/** The largest count accepted in one usage bucket of one call. */
export const MAX_TOKENS_PER_BUCKET = 1_000_000_000

const tokenCount = z
  .int('must be a whole number of tokens')
  .min(0, 'must not be negative')
  .max(MAX_TOKENS_PER_BUCKET, `must be at most ${MAX_TOKENS_PER_BUCKET}`)

/**
 * Token usage of one call in the OpenTelemetry GenAI buckets: `inputTokens` is all input including
 * cache reads and writes; `outputTokens` is all output including reasoning. The other fields are
 * parts of those wholes.
 */
export const usageBucketsSchema = z
  .strictObject({
    inputTokens: tokenCount,
    outputTokens: tokenCount,
    cacheReadInputTokens: tokenCount.optional(),
    cacheWriteInputTokens: tokenCount.optional(),
    cacheWrite1hInputTokens: tokenCount.optional(),
    reasoningTokens: tokenCount.optional(),
    inputAudioTokens: tokenCount.optional(),
    outputAudioTokens: tokenCount.optional(),
    inputImageTokens: tokenCount.optional(),
    outputImageTokens: tokenCount.optional(),
  })
  .superRefine((usage, context) => {
    // A bucket that is not a valid count already has its own issue; comparing it with its whole
    // would only add a second, confusing one ("0 exceeds -1").
    if (!Object.values(usage).every((count) => tokenCount.safeParse(count).success)) return
    for (const problem of findUsageProblems(usage)) {
      context.addIssue({
        code: 'custom',
        path: [problem.part],
        message: problem.message,
        params: { code: 'PART_EXCEEDS_WHOLE' },
      })
    }
  })

/** Usage of one call in the core buckets (see `usageBucketsSchema`). */
export type UsageBuckets = z.infer<typeof usageBucketsSchema>

/** A bucket that is larger than the whole it is part of. */
export interface UsageProblem {
  part: keyof UsageBuckets
  message: string
}

const INPUT_PARTS = ['cacheReadInputTokens', 'cacheWriteInputTokens', 'cacheWrite1hInputTokens'] as const

/** Lists every part-larger-than-whole problem of a usage record; empty when it is consistent. */
export function findUsageProblems(usage: UsageBuckets): UsageProblem[] {
  const problems: UsageProblem[] = []
  const cacheTotal = INPUT_PARTS.reduce((sum, part) => sum + (usage[part] ?? 0), 0)
  if (cacheTotal > usage.inputTokens) {
    const part = INPUT_PARTS.find((name) => (usage[name] ?? 0) > 0) ?? 'cacheReadInputTokens'
    problems.push({
      part,
      message: `cache reads and writes (${cacheTotal}) exceed inputTokens (${usage.inputTokens}); inputTokens must include cached tokens`,
    })
  }
  const checks: Array<[keyof UsageBuckets, number | undefined, 'inputTokens' | 'outputTokens']> = [
    ['reasoningTokens', usage.reasoningTokens, 'outputTokens'],
    ['inputAudioTokens', usage.inputAudioTokens, 'inputTokens'],
    ['inputImageTokens', usage.inputImageTokens, 'inputTokens'],
    ['outputAudioTokens', usage.outputAudioTokens, 'outputTokens'],
    ['outputImageTokens', usage.outputImageTokens, 'outputTokens'],
  ]
  for (const [part, value, whole] of checks) {
    if (value !== undefined && value > usage[whole]) {
      problems.push({
        part,
        message: `${part} (${value}) exceeds ${whole} (${usage[whole]}), of which it is a part`,
      })
    }
  }
  return problems
}
