import type { ServiceTier } from '@ai-cost-profiler/core'

/**
 * Maps OpenAI's `service_tier` (request or response) to the profiler's tiers. `auto` and `default`
 * are the standard rates; `fast` is Fast mode, OpenAI's name for Priority processing since July 2026
 * (either value selects it); an unknown value is treated as standard rather than guessed.
 */
export function mapOpenAiServiceTier(value: unknown): ServiceTier | undefined {
  switch (value) {
    case 'flex':
      return 'flex'
    case 'priority':
    case 'fast':
      return 'priority'
    case 'ultrafast':
      return 'ultrafast'
    case 'batch':
      return 'batch'
    case undefined:
    case null:
      return undefined
    default:
      return 'standard'
  }
}
