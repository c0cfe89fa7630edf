import type { ServiceTier } from '@ai-cost-profiler/core'
import type { Fields } from '../read-fields.ts'

/**
 * The tier an Anthropic call was billed at, from its response's usage: `fast` when `usage.speed` is
 * `fast` (fast mode), else `usage.service_tier` (`standard`, `priority`, `batch`).
 */
export function mapAnthropicServiceTier(usage: Fields | undefined): ServiceTier | undefined {
  // Fast mode sets the price whatever the service tier, so `speed` decides: a Priority Tier request
  // served fast is billed the fast multiple per token. The Batch API offers no fast mode, so `batch`
  // with `fast` should not occur; were it reported, `fast` is kept, as no batch rate is sold at that
  // speed and recording it as `batch` would price the call 4x to 12x too low.
  if (usage?.speed === 'fast') return 'fast'
  const tier = usage?.service_tier
  if (tier === 'priority' || tier === 'batch' || tier === 'standard') return tier
  return undefined
}
