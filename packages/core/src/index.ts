export { CoreError, type CoreErrorCode } from './errors/core-error.ts'
export { exceedsJsonDepth } from './events/exceeds-json-depth.ts'
export { findImpossibleDate } from './events/find-impossible-date.ts'
export { findInexactNumber } from './events/find-inexact-number.ts'
export {
  findUnstorableText,
  isStorableText,
  jsonTextMayHoldUnstorableText,
  replaceUnstorableText,
} from './events/find-unstorable-text.ts'
export {
  CALL_STATUSES,
  type CallError,
  type CallStatus,
  callErrorSchema,
  deriveIdempotencyKey,
  ERROR_TYPES,
  type ErrorType,
  type LlmCallEvent,
  type LlmCallEventInput,
  llmCallEventSchema,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_ID_LENGTH,
  MAX_METADATA_BYTES,
  MAX_METADATA_DEPTH,
  MAX_PROMPT_TEXT_LENGTH,
  MAX_TAG_LENGTH,
  MAX_TAGS,
  PROVIDER_SLUG_PATTERN,
  SERVICE_TIERS,
  type ServiceTier,
} from './events/llm-call-event.ts'
export {
  compareIsoTimesExactly,
  hasDigitsPastMillisecond,
  subMillisecondMicros,
  toUtcMicrosecondCeiling,
  toUtcTimestamp,
} from './events/to-utc-timestamp.ts'
export {
  EARLIEST_EVENT_TIMESTAMP_MS,
  type EventError,
  type EventErrorCode,
  type ValidateEventBatchOptions,
  type ValidEvent,
  validateEventBatch,
} from './events/validate-event-batch.ts'
export {
  addDecimals,
  compareDecimals,
  type Decimal,
  decimalFromInteger,
  fitsFractionDigits,
  formatDecimal,
  multiplyDecimals,
  parseDecimal,
  roundDecimal,
  shiftDecimal,
  ZERO,
} from './money/decimal.ts'
export { formatUsd, sumUsd, USD_FRACTION_DIGITS } from './money/usd.ts'
export { computeCost } from './pricing/compute-cost.ts'
export type {
  ComputeCostInput,
  CostBreakdown,
  CostResult,
  CostStatus,
  LongContextTier,
  PriceOverride,
  PriceSource,
  ServiceTierPrices,
  ServiceTierPricing,
  TokenPrices,
} from './pricing/cost-types.ts'
export { type FindPriceEntryOptions, findPriceEntry } from './pricing/find-price-entry.ts'
export { namesSameModel } from './pricing/find-price-override.ts'
export { MODEL_CATALOGUE } from './pricing/model-catalogue.ts'
export { type PriceEntry, priceEntryKey } from './pricing/price-entry.ts'
export { type AnthropicUsagePayload, normalizeAnthropicUsage } from './usage/normalize-anthropic-usage.ts'
export {
  type GeminiModalityTokenCount,
  type GeminiUsagePayload,
  normalizeGeminiUsage,
} from './usage/normalize-gemini-usage.ts'
export { normalizeOpenAiUsage, type OpenAiUsagePayload } from './usage/normalize-openai-usage.ts'
export {
  findUsageProblems,
  MAX_TOKENS_PER_BUCKET,
  type UsageBuckets,
  type UsageProblem,
  usageBucketsSchema,
} from './usage/usage-buckets.ts'
