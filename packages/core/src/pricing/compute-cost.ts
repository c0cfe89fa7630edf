import { CoreError } from '../errors/core-error.ts'
import type { ServiceTier } from '../events/llm-call-event.ts'
import { findUsageProblems, type UsageBuckets } from '../usage/usage-buckets.ts'
import type { ComputeCostInput, CostResult } from './cost-types.ts'
import { findGenaiPricesSchedule } from './find-genai-prices-schedule.ts'
import { findPriceEntryAt } from './find-price-entry.ts'
import { findPriceOverride } from './find-price-override.ts'
import { parseInstant } from './parse-instant.ts'
import { priceEntryKey } from './price-entry.ts'
import { type PricedUsage, priceUsage } from './price-usage.ts'

const UNPRICED: CostResult = Object.freeze({
  costUsd: null,
  costStatus: 'unpriced',
  breakdown: null,
  priceEntryId: null,
  priceSource: null,
})

// Written out rather than spread: on Node 20, `{ ...priced, costStatus, … }` takes the runtime's
// slow path and cost ~3 µs per call, a third of pricing.
function costResult(
  priced: PricedUsage,
  costStatus: CostResult['costStatus'],
  priceEntryId: string,
  priceSource: NonNullable<CostResult['priceSource']>,
): CostResult {
  return { costUsd: priced.costUsd, breakdown: priced.breakdown, costStatus, priceEntryId, priceSource }
}

/**
 * The tier a call is billed at, where a provider names one of its tiers as another: OpenAI renamed
 * Priority processing "Fast mode" and takes `service_tier: "fast"` for it, so an OpenAI call recorded as
 * `fast` (a client or gateway forwarding OpenAI's own value) is billed as `priority`. Anthropic's `fast`
 * is a tier of its own. The call keeps the tier it was sent with; only its price follows this.
 */
function billedServiceTier(provider: string, serviceTier: ServiceTier | undefined): ServiceTier | undefined {
  return serviceTier === 'fast' && provider.trim().toLowerCase() === 'openai' ? 'priority' : serviceTier
}

function assertValidUsage(usage: UsageBuckets): void {
  for (const bucket in usage) {
    const count = usage[bucket as keyof UsageBuckets]
    if (count !== undefined && (!Number.isSafeInteger(count) || count < 0)) {
      throw new CoreError('INVALID_USAGE', `${bucket} is ${count}; token counts are whole numbers >= 0`)
    }
  }
  const problems = findUsageProblems(usage)
  if (problems.length > 0) {
    throw new CoreError('INVALID_USAGE', problems.map((problem) => problem.message).join('; '))
  }
}

/**
 * The exact cost of one call. Prices come from, in order: the project's overrides (status
 * `priced`), the catalogue (`priced`), the `@pydantic/genai-prices` data (`estimated`); a model
 * none of them knows is `unpriced` with a null cost, never $0. All maths is decimal; money is
 * returned as 12-place USD strings. Throws `CoreError` (`INVALID_USAGE`, `INVALID_ARGUMENT`,
 * `INVALID_PRICE_ENTRY`) for inconsistent usage, a bad timestamp or a malformed override.
 *
 * @example
 * computeCost({
 *   provider: 'openai',
 *   model: 'gpt-4o-mini',
 *   timestamp: '2026-01-05T10:00:00Z',
 *   usage: { inputTokens: 10_000, cacheReadInputTokens: 2_048, outputTokens: 500 },
 * })
 * // → { costUsd: '0.001646400000', costStatus: 'priced', priceSource: 'catalogue',
 * //     priceEntryId: 'openai/gpt-4o-mini@2024-07-18', breakdown: { input: …, cacheRead: …, output: … } }
 */
export function computeCost(input: ComputeCostInput): CostResult {
  assertValidUsage(input.usage)
  const timestampMs = parseInstant(input.timestamp, 'timestamp')
  const { provider, model, usage } = input
  const serviceTier = billedServiceTier(provider, input.serviceTier)
  // A known price applied to counted usage is exact; applied to estimated usage it is an estimate.
  const exactness = input.usageEstimated === true ? 'estimated' : 'priced'

  const override = findPriceOverride({ provider, model, timestampMs, overrides: input.overrides ?? [] })
  if (override !== undefined) {
    const schedule = { ...override, id: `price override ${override.id}` }
    const priced = priceUsage({ schedule, usage, serviceTier })
    return costResult(priced, exactness, override.id, 'override')
  }

  const entry = findPriceEntryAt({ provider, model, timestampMs })
  if (entry !== undefined) {
    const priced = priceUsage({ schedule: entry, usage, serviceTier })
    return costResult(priced, exactness, priceEntryKey(entry), 'catalogue')
  }

  const estimate = findGenaiPricesSchedule({ provider, model, timestampMs, usage })
  if (estimate !== undefined) {
    const priced = priceUsage({ schedule: estimate, usage, serviceTier })
    return costResult(priced, 'estimated', estimate.id, 'genai-prices')
  }

  return { ...UNPRICED }
}
