import type { ServiceTier } from '@ai-cost-profiler/core'

/** Maps Gemini's requested `serviceTier` (`flex`, `priority`, `standard`) to the profiler's tiers. */
export function mapGeminiServiceTier(value: unknown): ServiceTier | undefined {
  if (value === 'flex' || value === 'priority' || value === 'standard') return value
  return undefined
}

/**
 * Maps Vertex AI's reported `usageMetadata.trafficType` to the tier that billed the request:
 * `ON_DEMAND` is standard, `ON_DEMAND_PRIORITY` and `ON_DEMAND_FLEX` the priority and flex tiers. Other
 * values (provisioned throughput, off-peak) have no per-token tier of their own and leave the tier as
 * requested.
 */
export function mapGeminiTrafficType(value: unknown): ServiceTier | undefined {
  if (value === 'ON_DEMAND') return 'standard'
  if (value === 'ON_DEMAND_PRIORITY') return 'priority'
  if (value === 'ON_DEMAND_FLEX') return 'flex'
  return undefined
}
