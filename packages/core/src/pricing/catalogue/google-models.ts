import type { LongContextTier, ServiceTierPrices, TokenPrices } from '../cost-types.ts'
import type { PriceEntry } from '../price-entry.ts'
import { definePriceEntries, type ModelPricing } from './define-price-entries.ts'

const SOURCE = 'https://ai.google.dev/gemini-api/docs/pricing'

// Batch Mode is "50% of the interactive price". Flex inference (offered from April 2026) is "a 50%
// cost reduction compared to standard rates" (https://ai.google.dev/gemini-api/docs/flex-inference).
// Priority costs "75% to 100% more than standard" (https://ai.google.dev/gemini-api/docs/optimization),
// so it is listed only for a model whose exact priority price is published; elsewhere a priority
// call is billed at standard rates.
const BATCH: ServiceTierPrices = { batch: { multiplier: '0.5' } }
const BATCH_AND_FLEX: ServiceTierPrices = { batch: { multiplier: '0.5' }, flex: { multiplier: '0.5' } }

// Cached content is part of `promptTokenCount` and billed at the context-caching price. Thinking
// tokens are billed as output ("output price, including thinking tokens"), so no entry has a
// separate reasoning price. Audio input has its own price on the Flash models; cached audio has
// one too, but the usage buckets have no cached-audio part, so all cached tokens use the text cache
// price (the normaliser keeps cached audio out of the uncached audio part).

function above(aboveInputTokens: number, prices: Partial<TokenPrices>): LongContextTier[] {
  return [{ aboveInputTokens, prices }]
}

const MODELS: readonly ModelPricing[] = [
  {
    // Gemini 1.5 priced prompts over 128K tokens at double rates. Flash was cut on 2024-08-12.
    provider: 'google',
    name: 'gemini-1.5-flash',
    model: 'gemini-1.5-flash',
    aliases: ['gemini-1.5-flash-001', 'gemini-1.5-flash-002', 'gemini-1.5-flash-latest'],
    source: SOURCE,
    versions: [
      {
        effectiveFrom: '2024-05-24',
        prices: { input: '0.35', cacheRead: '0.0875', output: '1.05' },
        longContext: above(128_000, { input: '0.70', cacheRead: '0.175', output: '2.10' }),
      },
      {
        effectiveFrom: '2024-08-12',
        prices: { input: '0.075', cacheRead: '0.01875', output: '0.30' },
        longContext: above(128_000, { input: '0.15', cacheRead: '0.0375', output: '0.60' }),
      },
    ],
  },
  {
    provider: 'google',
    name: 'gemini-1.5-flash-8b',
    model: 'gemini-1.5-flash-8b',
    aliases: ['gemini-1.5-flash-8b-001', 'gemini-1.5-flash-8b-latest'],
    source: SOURCE,
    longContext: above(128_000, { input: '0.075', cacheRead: '0.02', output: '0.30' }),
    versions: [
      { effectiveFrom: '2024-10-03', prices: { input: '0.0375', cacheRead: '0.01', output: '0.15' } },
    ],
  },
  {
    // 1.5 Pro was cut by more than half from 2024-10-01.
    provider: 'google',
    name: 'gemini-1.5-pro',
    model: 'gemini-1.5-pro',
    aliases: ['gemini-1.5-pro-001', 'gemini-1.5-pro-002', 'gemini-1.5-pro-latest'],
    source: SOURCE,
    versions: [
      {
        effectiveFrom: '2024-05-24',
        prices: { input: '3.50', cacheRead: '0.875', output: '10.50' },
        longContext: above(128_000, { input: '7.00', cacheRead: '1.75', output: '21.00' }),
      },
      {
        effectiveFrom: '2024-10-01',
        prices: { input: '1.25', cacheRead: '0.3125', output: '5.00' },
        longContext: above(128_000, { input: '2.50', cacheRead: '0.625', output: '10.00' }),
      },
    ],
  },
  {
    provider: 'google',
    name: 'gemini-2.0-flash',
    model: 'gemini-2.0-flash',
    aliases: ['gemini-2.0-flash-001'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2025-02-05',
        prices: { input: '0.10', cacheRead: '0.025', output: '0.40', inputAudio: '0.70' },
      },
    ],
  },
  {
    provider: 'google',
    name: 'gemini-2.0-flash-lite',
    model: 'gemini-2.0-flash-lite',
    aliases: ['gemini-2.0-flash-lite-001'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [{ effectiveFrom: '2025-02-25', prices: { input: '0.075', output: '0.30' } }],
  },
  {
    provider: 'google',
    name: 'gemini-2.5-pro',
    model: 'gemini-2.5-pro',
    source: SOURCE,
    serviceTiers: BATCH_AND_FLEX,
    longContext: above(200_000, { input: '2.50', cacheRead: '0.25', output: '15.00' }),
    versions: [
      { effectiveFrom: '2025-06-17', prices: { input: '1.25', cacheRead: '0.125', output: '10.00' } },
    ],
  },
  {
    provider: 'google',
    name: 'gemini-2.5-flash',
    model: 'gemini-2.5-flash',
    aliases: ['gemini-2.5-flash-preview-09-2025'],
    source: SOURCE,
    serviceTiers: BATCH_AND_FLEX,
    versions: [
      {
        effectiveFrom: '2025-06-17',
        prices: { input: '0.30', cacheRead: '0.03', output: '2.50', inputAudio: '1.00' },
      },
    ],
  },
  {
    provider: 'google',
    name: 'gemini-2.5-flash-lite',
    model: 'gemini-2.5-flash-lite',
    aliases: ['gemini-2.5-flash-lite-preview-09-2025'],
    source: SOURCE,
    serviceTiers: BATCH_AND_FLEX,
    versions: [
      {
        effectiveFrom: '2025-07-22',
        prices: { input: '0.10', cacheRead: '0.01', output: '0.40', inputAudio: '0.30' },
      },
    ],
  },
  {
    provider: 'google',
    name: 'gemini-3-pro-preview',
    model: 'gemini-3-pro-preview',
    source: SOURCE,
    serviceTiers: BATCH_AND_FLEX,
    longContext: above(200_000, { input: '4.00', cacheRead: '0.40', output: '18.00' }),
    versions: [
      { effectiveFrom: '2025-11-18', prices: { input: '2.00', cacheRead: '0.20', output: '12.00' } },
    ],
  },
  {
    provider: 'google',
    name: 'gemini-3-flash-preview',
    model: 'gemini-3-flash-preview',
    source: SOURCE,
    serviceTiers: BATCH_AND_FLEX,
    versions: [
      {
        effectiveFrom: '2025-12-17',
        prices: { input: '0.50', cacheRead: '0.05', output: '3.00', inputAudio: '1.00' },
      },
    ],
  },
  {
    provider: 'google',
    name: 'gemini-3.1-pro-preview',
    model: 'gemini-3.1-pro-preview',
    source: SOURCE,
    serviceTiers: BATCH_AND_FLEX,
    longContext: above(200_000, { input: '4.00', cacheRead: '0.40', output: '18.00' }),
    versions: [
      { effectiveFrom: '2026-02-19', prices: { input: '2.00', cacheRead: '0.20', output: '12.00' } },
    ],
  },
  {
    // Preview from 2026-03-03, generally available on 2026-05-07 at the same price.
    provider: 'google',
    name: 'gemini-3.1-flash-lite',
    model: 'gemini-3.1-flash-lite',
    aliases: ['gemini-3.1-flash-lite-preview'],
    source: SOURCE,
    serviceTiers: BATCH_AND_FLEX,
    versions: [
      {
        effectiveFrom: '2026-03-03',
        prices: { input: '0.25', cacheRead: '0.025', output: '1.50', inputAudio: '0.50' },
      },
    ],
  },
  {
    provider: 'google',
    name: 'gemini-3.5-flash',
    model: 'gemini-3.5-flash',
    source: SOURCE,
    serviceTiers: BATCH_AND_FLEX,
    versions: [{ effectiveFrom: '2026-05-19', prices: { input: '1.50', cacheRead: '0.15', output: '9.00' } }],
  },
  {
    // One price for text, image, video and audio input.
    provider: 'google',
    name: 'gemini-3.5-flash-lite',
    model: 'gemini-3.5-flash-lite',
    source: SOURCE,
    serviceTiers: BATCH_AND_FLEX,
    versions: [{ effectiveFrom: '2026-07-21', prices: { input: '0.30', cacheRead: '0.03', output: '2.50' } }],
  },
  {
    // Introductory rates through 2026-12-31; the published list price starts on 2027-01-01.
    // Priority is 1.8x.
    provider: 'google',
    name: 'gemini-3.8-flash',
    model: 'gemini-3.8-flash',
    source: SOURCE,
    serviceTiers: { ...BATCH_AND_FLEX, priority: { multiplier: '1.8' } },
    versions: [
      { effectiveFrom: '2026-09-02', prices: { input: '0.75', cacheRead: '0.075', output: '3.75' } },
      { effectiveFrom: '2027-01-01', prices: { input: '1.50', cacheRead: '0.15', output: '7.50' } },
    ],
  },
  {
    // Announced 2026-09-30 for partners; on the paid Gemini API from 2026-10-13. Introductory rates
    // through 2026-11-30, then the list price from 2026-12-01. One price at every prompt length (no
    // >200k tier); implicit caching only, so there is no storage price.
    provider: 'google',
    name: 'gemini-4-argon',
    model: 'gemini-4-argon',
    source: SOURCE,
    serviceTiers: BATCH_AND_FLEX,
    versions: [
      { effectiveFrom: '2026-10-13', prices: { input: '2.00', cacheRead: '0.10', output: '10.00' } },
      { effectiveFrom: '2026-12-01', prices: { input: '4.00', cacheRead: '0.20', output: '20.00' } },
    ],
  },
  {
    provider: 'google',
    name: 'gemini-embedding-001',
    model: 'gemini-embedding-001',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [{ effectiveFrom: '2025-07-14', prices: { input: '0.15', output: '0' } }],
  },
]

/** Gemini API (Google AI Studio) text and embedding models with their dated prices. */
export const GOOGLE_MODELS: readonly PriceEntry[] = Object.freeze(MODELS.flatMap(definePriceEntries))
