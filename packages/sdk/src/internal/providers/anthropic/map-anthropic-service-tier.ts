import type { ServiceTier } from '@ai-cost-profiler/core'

/** Maps the `usage.service_tier` Anthropic reports (`standard`, `priority`, `batch`) to the profiler's tiers. */
export function mapAnthropicServiceTier(value: unknown): ServiceTier | undefined {
  if (value === 'priority' || value === 'batch' || value === 'standard') return value
  return undefined
}
