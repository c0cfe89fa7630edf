import type { ServiceTier } from '@ai-cost-profiler/core'

/**
 * Maps a Gemini API service tier to the profiler's: `flex`, `priority` and `standard` in any case,
 * also written `SERVICE_TIER_PRIORITY` (the request's `serviceTier`, the tier the response reports).
 */
export function mapGeminiServiceTier(value: unknown): ServiceTier | undefined {
  if (typeof value !== 'string') return undefined
  const tier = value.toLowerCase().replace(/^service_tier_/, '')
  if (tier === 'flex' || tier === 'priority' || tier === 'standard') return tier
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
