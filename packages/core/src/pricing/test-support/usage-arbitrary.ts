import fc from 'fast-check'
import type { UsageBuckets } from '../../usage/usage-buckets.ts'

/**
 * Usage whose parts never exceed their wholes, as the event schema guarantees: `count` draws each
 * cache bucket, the uncached input and the output; audio, image and reasoning parts are shares of
 * their wholes.
 */
export function usageArbitrary(count: fc.Arbitrary<number>): fc.Arbitrary<UsageBuckets> {
  return fc
    .record({
      uncached: count,
      cacheRead: count,
      cacheWrite: count,
      cacheWrite1h: count,
      output: count,
      inputAudioShare: fc.double({ min: 0, max: 1, noNaN: true }),
      inputImageShare: fc.double({ min: 0, max: 1, noNaN: true }),
      reasoningShare: fc.double({ min: 0, max: 1, noNaN: true }),
      outputAudioShare: fc.double({ min: 0, max: 1, noNaN: true }),
      outputImageShare: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map((draw) => {
      const inputTokens = draw.uncached + draw.cacheRead + draw.cacheWrite + draw.cacheWrite1h
      const part = (whole: number, share: number) => Math.floor(whole * share)
      return {
        inputTokens,
        cacheReadInputTokens: draw.cacheRead,
        cacheWriteInputTokens: draw.cacheWrite,
        cacheWrite1hInputTokens: draw.cacheWrite1h,
        inputAudioTokens: part(inputTokens, draw.inputAudioShare),
        inputImageTokens: part(inputTokens, draw.inputImageShare),
        outputTokens: draw.output,
        reasoningTokens: part(draw.output, draw.reasoningShare),
        outputAudioTokens: part(draw.output, draw.outputAudioShare),
        outputImageTokens: part(draw.output, draw.outputImageShare),
      }
    })
}
