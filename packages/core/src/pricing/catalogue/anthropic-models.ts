import type { LongContextTier, ServiceTierPrices, TokenPrices } from '../cost-types.ts'
import type { PriceEntry } from '../price-entry.ts'
import { definePriceEntries, type ModelPricing } from './define-price-entries.ts'

const SOURCE = 'https://platform.claude.com/docs/en/about-claude/pricing'

// The Message Batches API bills every bucket, cache reads and writes included, at 50%, and the
// discount stacks with long-context rates.
const BATCH: ServiceTierPrices = { batch: { multiplier: '0.5' } }

// Fast mode (`speed: "fast"`, reported as `usage.speed: "fast"`) "is priced at a multiplier on standard
// rates across the full context window, including requests over 200k input tokens", and the prompt
// caching multipliers apply on top of the fast rates: every bucket, long-context rates included, is
// multiplied (https://platform.claude.com/docs/en/build-with-claude/fast-mode). The multiple depends on
// the model; a model without fast mode has no `fast` price and such a call bills at standard rates.
const BATCH_AND_FAST_6X: ServiceTierPrices = { ...BATCH, fast: { multiplier: '6' } }
const BATCH_AND_FAST_2X: ServiceTierPrices = { ...BATCH, fast: { multiplier: '2' } }

// Anthropic's usual card: 5-minute cache writes 1.25x input, 1-hour writes 2x, cache reads 0.1x.
// Prices are written out as the pricing page prints them, in its column order; the catalogue test
// checks the ratios.

// The 1M-context window of Sonnet 4 and 4.5 (and of Opus/Sonnet 4.6 before it became flat-priced)
// billed a request whose prompt exceeds 200K tokens at 2x input and cache rates and 1.5x output.
function longContextAbove200k(prices: TokenPrices): LongContextTier[] {
  return [{ aboveInputTokens: 200_000, prices }]
}

const SONNET_LONG_CONTEXT = longContextAbove200k({
  input: '6.00',
  cacheWrite: '7.50',
  cacheWrite1h: '12.00',
  cacheRead: '0.60',
  output: '22.50',
})

const MODELS: readonly ModelPricing[] = [
  {
    provider: 'anthropic',
    name: 'claude-3-haiku',
    model: 'claude-3-haiku-20240307',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2024-03-13',
        prices: {
          input: '0.25',
          cacheWrite: '0.30',
          cacheWrite1h: '0.50',
          cacheRead: '0.03',
          output: '1.25',
        },
      },
    ],
  },
  {
    provider: 'anthropic',
    name: 'claude-3-opus',
    model: 'claude-3-opus-20240229',
    aliases: ['claude-3-opus-latest'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2024-03-04',
        prices: {
          input: '15.00',
          cacheWrite: '18.75',
          cacheWrite1h: '30.00',
          cacheRead: '1.50',
          output: '75.00',
        },
      },
    ],
  },
  {
    provider: 'anthropic',
    name: 'claude-3-5-sonnet',
    model: 'claude-3-5-sonnet-20241022',
    aliases: ['claude-3-5-sonnet-20240620', 'claude-3-5-sonnet-latest'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2024-06-20',
        prices: {
          input: '3.00',
          cacheWrite: '3.75',
          cacheWrite1h: '6.00',
          cacheRead: '0.30',
          output: '15.00',
        },
      },
    ],
  },
  {
    provider: 'anthropic',
    name: 'claude-3-5-haiku',
    model: 'claude-3-5-haiku-20241022',
    aliases: ['claude-3-5-haiku-latest'],
    source: SOURCE,
    serviceTiers: BATCH,
    // Launched on the API on 2024-11-04 at $1 / $5 and cut to $0.80 / $4 about a month later. The
    // sources checked do not give the day of the cut; 2024-12-03 is taken, so a call in the days
    // around it may be priced at the other rate (docs/pricing.md says so).
    versions: [
      {
        effectiveFrom: '2024-11-04',
        prices: {
          input: '1.00',
          cacheWrite: '1.25',
          cacheWrite1h: '2.00',
          cacheRead: '0.10',
          output: '5.00',
        },
      },
      {
        effectiveFrom: '2024-12-03',
        prices: {
          input: '0.80',
          cacheWrite: '1.00',
          cacheWrite1h: '1.60',
          cacheRead: '0.08',
          output: '4.00',
        },
      },
    ],
  },
  {
    provider: 'anthropic',
    name: 'claude-3-7-sonnet',
    model: 'claude-3-7-sonnet-20250219',
    aliases: ['claude-3-7-sonnet-latest'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2025-02-24',
        prices: {
          input: '3.00',
          cacheWrite: '3.75',
          cacheWrite1h: '6.00',
          cacheRead: '0.30',
          output: '15.00',
        },
      },
    ],
  },
  {
    provider: 'anthropic',
    name: 'claude-sonnet-4',
    model: 'claude-sonnet-4-20250514',
    aliases: ['claude-sonnet-4-0', 'claude-sonnet-4'],
    source: SOURCE,
    serviceTiers: BATCH,
    longContext: SONNET_LONG_CONTEXT,
    versions: [
      {
        effectiveFrom: '2025-05-22',
        prices: {
          input: '3.00',
          cacheWrite: '3.75',
          cacheWrite1h: '6.00',
          cacheRead: '0.30',
          output: '15.00',
        },
      },
    ],
  },
  {
    provider: 'anthropic',
    name: 'claude-opus-4',
    model: 'claude-opus-4-20250514',
    aliases: ['claude-opus-4-0', 'claude-opus-4'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2025-05-22',
        prices: {
          input: '15.00',
          cacheWrite: '18.75',
          cacheWrite1h: '30.00',
          cacheRead: '1.50',
          output: '75.00',
        },
      },
    ],
  },
  {
    provider: 'anthropic',
    name: 'claude-opus-4-1',
    model: 'claude-opus-4-1-20250805',
    aliases: ['claude-opus-4-1'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2025-08-05',
        prices: {
          input: '15.00',
          cacheWrite: '18.75',
          cacheWrite1h: '30.00',
          cacheRead: '1.50',
          output: '75.00',
        },
      },
    ],
  },
  {
    provider: 'anthropic',
    name: 'claude-sonnet-4-5',
    model: 'claude-sonnet-4-5-20250929',
    aliases: ['claude-sonnet-4-5'],
    source: SOURCE,
    serviceTiers: BATCH,
    longContext: SONNET_LONG_CONTEXT,
    versions: [
      {
        effectiveFrom: '2025-09-29',
        prices: {
          input: '3.00',
          cacheWrite: '3.75',
          cacheWrite1h: '6.00',
          cacheRead: '0.30',
          output: '15.00',
        },
      },
    ],
  },
  {
    provider: 'anthropic',
    name: 'claude-haiku-4-5',
    model: 'claude-haiku-4-5-20251001',
    aliases: ['claude-haiku-4-5'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2025-10-15',
        prices: {
          input: '1.00',
          cacheWrite: '1.25',
          cacheWrite1h: '2.00',
          cacheRead: '0.10',
          output: '5.00',
        },
      },
    ],
  },
  {
    provider: 'anthropic',
    name: 'claude-opus-4-5',
    model: 'claude-opus-4-5-20251101',
    aliases: ['claude-opus-4-5'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2025-11-24',
        prices: {
          input: '5.00',
          cacheWrite: '6.25',
          cacheWrite1h: '10.00',
          cacheRead: '0.50',
          output: '25.00',
        },
      },
    ],
  },
  {
    // The 1M window became generally available at the standard rate on 2026-03-13.
    provider: 'anthropic',
    name: 'claude-opus-4-6',
    model: 'claude-opus-4-6',
    source: SOURCE,
    // Fast mode 6x, $30 / $150: OpenRouter's "Claude Opus 4.6 (Fast)", "premium 6x pricing".
    serviceTiers: BATCH_AND_FAST_6X,
    versions: [
      {
        effectiveFrom: '2026-02-05',
        prices: {
          input: '5.00',
          cacheWrite: '6.25',
          cacheWrite1h: '10.00',
          cacheRead: '0.50',
          output: '25.00',
        },
        longContext: longContextAbove200k({
          input: '10.00',
          cacheWrite: '12.50',
          cacheWrite1h: '20.00',
          cacheRead: '1.00',
          output: '37.50',
        }),
      },
      {
        effectiveFrom: '2026-03-13',
        prices: {
          input: '5.00',
          cacheWrite: '6.25',
          cacheWrite1h: '10.00',
          cacheRead: '0.50',
          output: '25.00',
        },
      },
    ],
  },
  {
    provider: 'anthropic',
    name: 'claude-sonnet-4-6',
    model: 'claude-sonnet-4-6',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2026-02-17',
        prices: {
          input: '3.00',
          cacheWrite: '3.75',
          cacheWrite1h: '6.00',
          cacheRead: '0.30',
          output: '15.00',
        },
        longContext: SONNET_LONG_CONTEXT,
      },
      {
        effectiveFrom: '2026-03-13',
        prices: {
          input: '3.00',
          cacheWrite: '3.75',
          cacheWrite1h: '6.00',
          cacheRead: '0.30',
          output: '15.00',
        },
      },
    ],
  },
  {
    provider: 'anthropic',
    name: 'claude-opus-4-7',
    model: 'claude-opus-4-7',
    source: SOURCE,
    // Fast mode 6x, $30 / $150: OpenRouter's "Claude Opus 4.7 (Fast)", "premium 6x pricing". Anthropic
    // removed it on 2026-07-24 and refuses later fast requests.
    serviceTiers: BATCH_AND_FAST_6X,
    versions: [
      {
        effectiveFrom: '2026-04-16',
        prices: {
          input: '5.00',
          cacheWrite: '6.25',
          cacheWrite1h: '10.00',
          cacheRead: '0.50',
          output: '25.00',
        },
      },
    ],
  },
  {
    provider: 'anthropic',
    name: 'claude-opus-4-8',
    model: 'claude-opus-4-8',
    source: SOURCE,
    // Fast mode 2x, $10 / $50: OpenRouter's "Claude Opus 4.8 (Fast)", "2x pricing relative to regular
    // Opus 4.8". Anthropic removes it on 2026-11-30 and refuses later fast requests.
    serviceTiers: BATCH_AND_FAST_2X,
    versions: [
      {
        effectiveFrom: '2026-05-28',
        prices: {
          input: '5.00',
          cacheWrite: '6.25',
          cacheWrite1h: '10.00',
          cacheRead: '0.50',
          output: '25.00',
        },
      },
    ],
  },
  {
    provider: 'anthropic',
    name: 'claude-fable-5',
    model: 'claude-fable-5',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2026-06-09',
        prices: {
          input: '10.00',
          cacheWrite: '12.50',
          cacheWrite1h: '20.00',
          cacheRead: '1.00',
          output: '50.00',
        },
      },
    ],
  },
  {
    // Anthropic cancelled the increase to $3/$15 scheduled for 2026-09-01: one price throughout.
    provider: 'anthropic',
    name: 'claude-sonnet-5',
    model: 'claude-sonnet-5',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2026-06-30',
        prices: {
          input: '2.00',
          cacheWrite: '2.50',
          cacheWrite1h: '4.00',
          cacheRead: '0.20',
          output: '10.00',
        },
      },
    ],
  },
  {
    provider: 'anthropic',
    name: 'claude-opus-5',
    model: 'claude-opus-5',
    source: SOURCE,
    // Fast mode 2x, $10 / $50: OpenRouter's "Claude Opus 5 (Fast)", "2x pricing relative to regular Opus 5".
    serviceTiers: BATCH_AND_FAST_2X,
    versions: [
      {
        effectiveFrom: '2026-07-24',
        prices: {
          input: '5.00',
          cacheWrite: '6.25',
          cacheWrite1h: '10.00',
          cacheRead: '0.50',
          output: '25.00',
        },
      },
    ],
  },
  {
    // Cache hits are 0.025x input on Fable 5.1, not the usual 0.1x.
    provider: 'anthropic',
    name: 'claude-fable-5-1',
    model: 'claude-fable-5-1',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2026-09-01',
        prices: {
          input: '10.00',
          cacheWrite: '12.50',
          cacheWrite1h: '20.00',
          cacheRead: '0.25',
          output: '50.00',
        },
      },
    ],
  },
  {
    // Cache hits are 0.05x input on Opus 5.5.
    provider: 'anthropic',
    name: 'claude-opus-5-5',
    model: 'claude-opus-5-5',
    source: SOURCE,
    // Fast mode 2x, $8 / $40 and cache hits $0.40: the fast rates claudit v1.9.0 bundles (and $10 / $50
    // for Opus 5 and Opus 4.8); LiteLLM's Opus 5.5 launch notes say about 2x the base price.
    serviceTiers: BATCH_AND_FAST_2X,
    versions: [
      {
        effectiveFrom: '2026-09-24',
        prices: {
          input: '4.00',
          cacheWrite: '5.00',
          cacheWrite1h: '8.00',
          cacheRead: '0.20',
          output: '20.00',
        },
      },
    ],
  },
  {
    // Launched with Sonnet 5's card; cache hits were cut from 0.1x to 0.05x input on 2026-10-07.
    provider: 'anthropic',
    name: 'claude-sonnet-5-5',
    model: 'claude-sonnet-5-5',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      {
        effectiveFrom: '2026-09-28',
        prices: {
          input: '2.00',
          cacheWrite: '2.50',
          cacheWrite1h: '4.00',
          cacheRead: '0.20',
          output: '10.00',
        },
      },
      {
        effectiveFrom: '2026-10-07',
        prices: {
          input: '2.00',
          cacheWrite: '2.50',
          cacheWrite1h: '4.00',
          cacheRead: '0.10',
          output: '10.00',
        },
      },
    ],
  },
  {
    // Priced by prompt length: a prompt over 100,000 tokens (cache reads and writes included) bills
    // every token of the request, output included, at the higher card.
    provider: 'anthropic',
    name: 'claude-haiku-5-5',
    model: 'claude-haiku-5-5',
    source: SOURCE,
    serviceTiers: BATCH,
    longContext: [
      {
        aboveInputTokens: 100_000,
        prices: {
          input: '0.50',
          cacheWrite: '0.625',
          cacheWrite1h: '1.00',
          cacheRead: '0.05',
          output: '2.50',
        },
      },
    ],
    versions: [
      {
        effectiveFrom: '2026-10-07',
        prices: {
          input: '0.10',
          cacheWrite: '0.125',
          cacheWrite1h: '0.20',
          cacheRead: '0.01',
          output: '0.50',
        },
      },
    ],
  },
  {
    // Cache hits are 0.025x input, as on Fable 5.1.
    provider: 'anthropic',
    name: 'claude-fable-5-2',
    model: 'claude-fable-5-2',
    source: SOURCE,
    // Fast mode 2x, $16 / $80: Google Cloud's Fable 5.2 page, "2x the standard-speed token rates across
    // all token types (input, output, 5-minute and 1-hour cache write, and cache hit tokens)".
    serviceTiers: BATCH_AND_FAST_2X,
    versions: [
      {
        effectiveFrom: '2026-11-09',
        prices: {
          input: '8.00',
          cacheWrite: '10.00',
          cacheWrite1h: '16.00',
          cacheRead: '0.20',
          output: '40.00',
        },
      },
    ],
  },
]

/** Anthropic Claude models (Claude API) with their dated prices. */
export const ANTHROPIC_MODELS: readonly PriceEntry[] = Object.freeze(MODELS.flatMap(definePriceEntries))
