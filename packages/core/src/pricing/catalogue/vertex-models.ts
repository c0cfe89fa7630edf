import type { ServiceTierPrices } from '../cost-types.ts'
import type { PriceEntry } from '../price-entry.ts'
import { definePriceEntries, type ModelPricing } from './define-price-entries.ts'

const SOURCE = 'https://cloud.google.com/vertex-ai/generative-ai/pricing'

// Batch prediction is billed at 50% of the online price.
const BATCH: ServiceTierPrices = { batch: { multiplier: '0.5' } }

// Vertex AI lists its own prices, which mostly match the Gemini API's. Gemini 2.0 Flash is the
// exception: $0.15 / $0.60 on Vertex against $0.10 / $0.40 on the Gemini API, and its cached
// tokens get a 75% discount where Gemini 2.5 and later get 90%. Gemini 1.5 on Vertex was billed per
// character, which token counts cannot reproduce, so it is left out rather than priced wrongly.

const MODELS: readonly ModelPricing[] = [
  {
    provider: 'vertex',
    name: 'gemini-2.0-flash',
    model: 'gemini-2.0-flash',
    aliases: ['gemini-2.0-flash-001'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2025-02-05',
        prices: { input: '0.15', cacheRead: '0.0375', output: '0.60', inputAudio: '1.00' },
      },
    ],
  },
  {
    provider: 'vertex',
    name: 'gemini-2.0-flash-lite',
    model: 'gemini-2.0-flash-lite',
    aliases: ['gemini-2.0-flash-lite-001'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [{ effectiveFrom: '2025-02-25', prices: { input: '0.075', output: '0.30' } }],
  },
  {
    provider: 'vertex',
    name: 'gemini-2.5-pro',
    model: 'gemini-2.5-pro',
    source: SOURCE,
    serviceTiers: BATCH,
    longContext: [
      { aboveInputTokens: 200_000, prices: { input: '2.50', cacheRead: '0.25', output: '15.00' } },
    ],
    versions: [
      { effectiveFrom: '2025-06-17', prices: { input: '1.25', cacheRead: '0.125', output: '10.00' } },
    ],
  },
  {
    provider: 'vertex',
    name: 'gemini-2.5-flash',
    model: 'gemini-2.5-flash',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2025-06-17',
        prices: { input: '0.30', cacheRead: '0.03', output: '2.50', inputAudio: '1.00' },
      },
    ],
  },
  {
    provider: 'vertex',
    name: 'gemini-2.5-flash-lite',
    model: 'gemini-2.5-flash-lite',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2025-07-22',
        prices: { input: '0.10', cacheRead: '0.01', output: '0.40', inputAudio: '0.30' },
      },
    ],
  },
  {
    provider: 'vertex',
    name: 'gemini-embedding-001',
    model: 'gemini-embedding-001',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [{ effectiveFrom: '2025-07-14', prices: { input: '0.15', output: '0' } }],
  },
]

/** Vertex AI Gemini text and embedding models with their dated prices. */
export const VERTEX_MODELS: readonly PriceEntry[] = Object.freeze(MODELS.flatMap(definePriceEntries))
