import {
  type ComputeCostInput,
  type CostResult,
  computeCost,
  type LlmCallEvent,
} from '@ai-cost-profiler/core'

/** The exact cost of a validated event, with the project's price overrides when it has any. */
export function priceEvent(event: LlmCallEvent, overrides?: ComputeCostInput['overrides']): CostResult {
  return computeCost({
    provider: event.provider,
    model: event.model,
    usage: event.usage,
    timestamp: event.timestamp,
    serviceTier: event.serviceTier,
    usageEstimated: event.usageEstimated,
    overrides,
  })
}
