import type { ServiceTier } from '@ai-cost-profiler/core'

/** Maps Gemini's requested `serviceTier` (`flex`, `priority`, `standard`) to the profiler's tiers. */
export function mapGeminiServiceTier(value: unknown): ServiceTier | undefined {
  if (value === 'flex' || value === 'priority' || value === 'standard') return value
  return undefined
}
