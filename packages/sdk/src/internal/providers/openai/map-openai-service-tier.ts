import type { ServiceTier } from '@ai-cost-profiler/core'

/**
 * Maps OpenAI's `service_tier` (request or response) to the profiler's tiers. `auto` and `default`
 * are the standard rates; an unknown value is treated as standard rather than guessed.
 */
export function mapOpenAiServiceTier(value: unknown): ServiceTier | undefined {
  switch (value) {
    case 'flex':
      return 'flex'
    case 'priority':
      return 'priority'
    case 'batch':
      return 'batch'
    case undefined:
    case null:
      return undefined
    default:
      return 'standard'
  }
}
