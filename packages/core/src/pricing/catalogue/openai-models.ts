import type { LongContextTier, ServiceTierPrices, ServiceTierPricing, TokenPrices } from '../cost-types.ts'
import type { PriceEntry } from '../price-entry.ts'
import { definePriceEntries, type ModelPricing } from './define-price-entries.ts'

const SOURCE = 'https://developers.openai.com/api/docs/pricing'
// Past prices, which the pricing page no longer lists, as OpenAI announced them.
const ADA_002_LAUNCH = 'https://openai.com/index/new-and-improved-embedding-model/'
const GPT_35_TURBO_LAUNCH = 'https://openai.com/index/introducing-chatgpt-and-whisper-apis/'
const JUNE_2023_UPDATES = 'https://openai.com/index/function-calling-and-other-api-updates/'
const DEVDAY_2023 = 'https://openai.com/index/new-models-and-developer-products-announced-at-devday/'

// Cached input is part of the prompt tokens and billed at the cached rate. OpenAI bills no separate
// cache-write price before GPT-5.6, so those entries leave `cacheWrite` out.
const BATCH: ServiceTierPrices = { batch: { multiplier: '0.5' } }
// Flex is "priced at Batch API rates" on the models that offer it.
const BATCH_AND_FLEX: ServiceTierPrices = { batch: { multiplier: '0.5' }, flex: { multiplier: '0.5' } }

/** Batch (and flex) at half price, plus the prices published at https://openai.com/api-priority-processing/. */
function withPriority(priority: TokenPrices, flex = true): ServiceTierPrices {
  return { ...(flex ? BATCH_AND_FLEX : BATCH), priority: { prices: priority } }
}

// Fast mode is the `priority` service tier: OpenAI renamed Priority processing to Fast mode on
// 2026-07-30 and takes `service_tier: "priority"` and `"fast"` alike (computeCost bills an OpenAI
// `fast` call as `priority`). From GPT-5.6 on it costs 2x
// "the applicable rate" (GPT-6 Sol page), long-context rates included: the Fast mode page lists
// GPT-5.6 long-context Fast prices at 2x the long-context rates (https://openai.com/api-fast-mode/).
const FAST_2X: ServiceTierPricing = { multiplier: '2' }
const BATCH_FLEX_AND_FAST: ServiceTierPrices = { ...BATCH_AND_FLEX, priority: FAST_2X }
const BATCH_AND_FAST: ServiceTierPrices = { ...BATCH, priority: FAST_2X }

// GPT-5.4 and later bill the whole request at 2x input and cached input and 1.5x output once the
// prompt passes 272K tokens. The model pages word it ">272K input tokens" (GPT-5.4, 5.4 pro, 5.6) and
// "more than 272K input tokens" (GPT-6), as third-party pages do for GPT-5.5 ("> 272K input"): 272,000
// tokens still bill at the standard rate.
function longContextAbove272k(prices: Partial<TokenPrices>): LongContextTier[] {
  return [{ aboveInputTokens: 272_000, prices }]
}

const MODELS: readonly ModelPricing[] = [
  {
    provider: 'openai',
    // The alias pointed at gpt-4o-2024-05-13 (and its price) until 2024-10-02, then at 2024-08-06.
    name: 'gpt-4o',
    model: 'gpt-4o',
    source: SOURCE,
    serviceTiers: withPriority({ input: '4.25', cacheRead: '2.125', output: '17.00' }, false),
    versions: [
      { effectiveFrom: '2024-05-13', prices: { input: '5.00', output: '15.00' }, serviceTiers: BATCH },
      { effectiveFrom: '2024-10-02', prices: { input: '2.50', cacheRead: '1.25', output: '10.00' } },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-4o-2024-08-06',
    model: 'gpt-4o-2024-08-06',
    aliases: ['gpt-4o-2024-11-20'],
    source: SOURCE,
    serviceTiers: withPriority({ input: '4.25', cacheRead: '2.125', output: '17.00' }, false),
    versions: [
      { effectiveFrom: '2024-08-06', prices: { input: '2.50', cacheRead: '1.25', output: '10.00' } },
    ],
  },
  {
    // The first GPT-4o snapshot keeps its launch price and has no cached-input discount.
    provider: 'openai',
    name: 'gpt-4o-2024-05-13',
    model: 'gpt-4o-2024-05-13',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [{ effectiveFrom: '2024-05-13', prices: { input: '5.00', output: '15.00' } }],
  },
  {
    provider: 'openai',
    name: 'gpt-4o-mini',
    model: 'gpt-4o-mini',
    aliases: ['gpt-4o-mini-2024-07-18'],
    source: SOURCE,
    serviceTiers: withPriority({ input: '0.25', cacheRead: '0.125', output: '1.00' }, false),
    versions: [
      { effectiveFrom: '2024-07-18', prices: { input: '0.15', cacheRead: '0.075', output: '0.60' } },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-4.1',
    model: 'gpt-4.1',
    aliases: ['gpt-4.1-2025-04-14'],
    source: SOURCE,
    serviceTiers: withPriority({ input: '3.50', cacheRead: '0.875', output: '14.00' }, false),
    versions: [{ effectiveFrom: '2025-04-14', prices: { input: '2.00', cacheRead: '0.50', output: '8.00' } }],
  },
  {
    provider: 'openai',
    name: 'gpt-4.1-mini',
    model: 'gpt-4.1-mini',
    aliases: ['gpt-4.1-mini-2025-04-14'],
    source: SOURCE,
    serviceTiers: withPriority({ input: '0.70', cacheRead: '0.175', output: '2.80' }, false),
    versions: [{ effectiveFrom: '2025-04-14', prices: { input: '0.40', cacheRead: '0.10', output: '1.60' } }],
  },
  {
    provider: 'openai',
    name: 'gpt-4.1-nano',
    model: 'gpt-4.1-nano',
    aliases: ['gpt-4.1-nano-2025-04-14'],
    source: SOURCE,
    serviceTiers: withPriority({ input: '0.20', cacheRead: '0.05', output: '0.80' }, false),
    versions: [
      { effectiveFrom: '2025-04-14', prices: { input: '0.10', cacheRead: '0.025', output: '0.40' } },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-4-turbo',
    model: 'gpt-4-turbo',
    aliases: ['gpt-4-turbo-2024-04-09', 'gpt-4-turbo-preview', 'gpt-4-0125-preview', 'gpt-4-1106-preview'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [{ effectiveFrom: '2023-11-06', prices: { input: '10.00', output: '30.00' } }],
  },
  {
    provider: 'openai',
    name: 'gpt-4',
    model: 'gpt-4',
    aliases: ['gpt-4-0613', 'gpt-4-0314'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [{ effectiveFrom: '2023-03-14', prices: { input: '30.00', output: '60.00' } }],
  },
  {
    // The alias meant gpt-3.5-turbo-0301 at launch and gpt-3.5-turbo-0613 from 2023-06-27; the input
    // cut of 2023-06-13 covered it (and 0301) at once. OpenAI's 2024-01-25 announcement
    // (https://openai.com/index/new-embedding-models-and-api-updates/) moves the alias from 0613 to
    // 0125, so until the 2024-01-25 entry it kept 0613's $1.50 / $2.
    provider: 'openai',
    name: 'gpt-3.5-turbo',
    model: 'gpt-3.5-turbo',
    aliases: ['gpt-3.5-turbo-0125'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      { effectiveFrom: '2023-03-01', prices: { input: '2.00', output: '2.00' }, source: GPT_35_TURBO_LAUNCH },
      { effectiveFrom: '2023-06-13', prices: { input: '1.50', output: '2.00' }, source: JUNE_2023_UPDATES },
      { effectiveFrom: '2024-01-25', prices: { input: '0.50', output: '1.50' } },
    ],
  },
  {
    // The launch snapshot, $0.002 / 1K tokens in and out, then the input cut of 2023-06-13.
    provider: 'openai',
    name: 'gpt-3.5-turbo-0301',
    model: 'gpt-3.5-turbo-0301',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      { effectiveFrom: '2023-03-01', prices: { input: '2.00', output: '2.00' }, source: GPT_35_TURBO_LAUNCH },
      { effectiveFrom: '2023-06-13', prices: { input: '1.50', output: '2.00' }, source: JUNE_2023_UPDATES },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-3.5-turbo-0613',
    model: 'gpt-3.5-turbo-0613',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      { effectiveFrom: '2023-06-13', prices: { input: '1.50', output: '2.00' }, source: JUNE_2023_UPDATES },
    ],
  },
  {
    // Four times gpt-3.5-turbo's context at twice its price: $0.003 / 1K input and $0.004 / 1K output tokens.
    provider: 'openai',
    name: 'gpt-3.5-turbo-16k',
    model: 'gpt-3.5-turbo-16k',
    aliases: ['gpt-3.5-turbo-16k-0613'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      { effectiveFrom: '2023-06-13', prices: { input: '3.00', output: '4.00' }, source: JUNE_2023_UPDATES },
    ],
  },
  {
    // The 16K-context snapshot of DevDay: $0.001 / 1K input and $0.002 / 1K output tokens.
    provider: 'openai',
    name: 'gpt-3.5-turbo-1106',
    model: 'gpt-3.5-turbo-1106',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      { effectiveFrom: '2023-11-06', prices: { input: '1.00', output: '2.00' }, source: DEVDAY_2023 },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-5',
    model: 'gpt-5',
    aliases: ['gpt-5-2025-08-07', 'gpt-5-chat-latest', 'gpt-5-codex'],
    source: SOURCE,
    serviceTiers: withPriority({ input: '2.50', cacheRead: '0.25', output: '20.00' }),
    versions: [
      { effectiveFrom: '2025-08-07', prices: { input: '1.25', cacheRead: '0.125', output: '10.00' } },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-5-mini',
    model: 'gpt-5-mini',
    aliases: ['gpt-5-mini-2025-08-07'],
    source: SOURCE,
    serviceTiers: withPriority({ input: '0.45', cacheRead: '0.045', output: '3.60' }),
    versions: [
      { effectiveFrom: '2025-08-07', prices: { input: '0.25', cacheRead: '0.025', output: '2.00' } },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-5-nano',
    model: 'gpt-5-nano',
    aliases: ['gpt-5-nano-2025-08-07'],
    source: SOURCE,
    serviceTiers: BATCH_AND_FLEX,
    versions: [
      { effectiveFrom: '2025-08-07', prices: { input: '0.05', cacheRead: '0.005', output: '0.40' } },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-5-pro',
    model: 'gpt-5-pro',
    aliases: ['gpt-5-pro-2025-10-06'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [{ effectiveFrom: '2025-10-06', prices: { input: '15.00', output: '120.00' } }],
  },
  {
    provider: 'openai',
    name: 'gpt-5.1',
    model: 'gpt-5.1',
    aliases: ['gpt-5.1-2025-11-13', 'gpt-5.1-chat-latest', 'gpt-5.1-codex', 'gpt-5.1-codex-max'],
    source: SOURCE,
    serviceTiers: withPriority({ input: '2.50', cacheRead: '0.25', output: '20.00' }),
    versions: [
      { effectiveFrom: '2025-11-13', prices: { input: '1.25', cacheRead: '0.125', output: '10.00' } },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-5.1-codex-mini',
    model: 'gpt-5.1-codex-mini',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      { effectiveFrom: '2025-11-13', prices: { input: '0.25', cacheRead: '0.025', output: '2.00' } },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-5.2',
    model: 'gpt-5.2',
    aliases: ['gpt-5.2-2025-12-11', 'gpt-5.2-chat-latest', 'gpt-5.2-codex'],
    source: SOURCE,
    serviceTiers: withPriority({ input: '3.50', cacheRead: '0.35', output: '28.00' }),
    versions: [
      { effectiveFrom: '2025-12-11', prices: { input: '1.75', cacheRead: '0.175', output: '14.00' } },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-5.2-pro',
    model: 'gpt-5.2-pro',
    aliases: ['gpt-5.2-pro-2025-12-11'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [{ effectiveFrom: '2025-12-11', prices: { input: '21.00', output: '168.00' } }],
  },
  {
    provider: 'openai',
    name: 'gpt-5.3-codex',
    model: 'gpt-5.3-codex',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      { effectiveFrom: '2026-02-05', prices: { input: '1.75', cacheRead: '0.175', output: '14.00' } },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-5.3-chat-latest',
    model: 'gpt-5.3-chat-latest',
    aliases: ['gpt-5.3-chat'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      { effectiveFrom: '2026-03-04', prices: { input: '1.75', cacheRead: '0.175', output: '14.00' } },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-5.4',
    model: 'gpt-5.4',
    aliases: ['gpt-5.4-2026-03-05'],
    source: SOURCE,
    // Priority processing excludes long context: a long prompt keeps the standard long-context rates.
    serviceTiers: withPriority({ input: '5.00', cacheRead: '0.50', output: '30.00' }),
    longContext: longContextAbove272k({ input: '5.00', cacheRead: '0.50', output: '22.50' }),
    versions: [
      { effectiveFrom: '2026-03-05', prices: { input: '2.50', cacheRead: '0.25', output: '15.00' } },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-5.4-mini',
    model: 'gpt-5.4-mini',
    aliases: ['gpt-5.4-mini-2026-03-17'],
    source: SOURCE,
    serviceTiers: withPriority({ input: '1.50', cacheRead: '0.15', output: '9.00' }),
    versions: [
      { effectiveFrom: '2026-03-17', prices: { input: '0.75', cacheRead: '0.075', output: '4.50' } },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-5.4-nano',
    model: 'gpt-5.4-nano',
    aliases: ['gpt-5.4-nano-2026-03-17'],
    source: SOURCE,
    serviceTiers: BATCH_AND_FLEX,
    versions: [{ effectiveFrom: '2026-03-17', prices: { input: '0.20', cacheRead: '0.02', output: '1.25' } }],
  },
  {
    provider: 'openai',
    name: 'gpt-5.4-pro',
    model: 'gpt-5.4-pro',
    aliases: ['gpt-5.4-pro-2026-03-05'],
    source: SOURCE,
    serviceTiers: BATCH,
    longContext: longContextAbove272k({ input: '60.00', output: '270.00' }),
    versions: [{ effectiveFrom: '2026-03-05', prices: { input: '30.00', output: '180.00' } }],
  },
  {
    provider: 'openai',
    name: 'gpt-5.5',
    model: 'gpt-5.5',
    aliases: ['gpt-5.5-2026-04-23', 'gpt-5.5-2026-04-24', 'gpt-5.5-chat-latest', 'gpt-5.5-codex'],
    source: SOURCE,
    serviceTiers: withPriority({ input: '12.50', cacheRead: '1.25', output: '75.00' }),
    longContext: longContextAbove272k({ input: '10.00', cacheRead: '1.00', output: '45.00' }),
    versions: [
      { effectiveFrom: '2026-04-23', prices: { input: '5.00', cacheRead: '0.50', output: '30.00' } },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-5.5-pro',
    model: 'gpt-5.5-pro',
    aliases: ['gpt-5.5-pro-2026-04-23'],
    source: SOURCE,
    serviceTiers: BATCH,
    longContext: longContextAbove272k({ input: '60.00', output: '270.00' }),
    versions: [{ effectiveFrom: '2026-04-23', prices: { input: '30.00', output: '180.00' } }],
  },
  {
    // GPT-5.6 introduced a cache-write price (1.25x input). Sol was cut on 2026-08-21 (a promotion
    // "at least until November 21, 2026"; no end has been announced). Fast mode is 2x at every
    // prompt length: an early version of the Fast mode page marked GPT-5.6 "excludes long context",
    // the current one lists long-context Fast prices at 2x the long-context rates.
    provider: 'openai',
    name: 'gpt-5.6-sol',
    model: 'gpt-5.6-sol',
    aliases: ['gpt-5.6'],
    source: SOURCE,
    serviceTiers: BATCH_FLEX_AND_FAST,
    versions: [
      {
        effectiveFrom: '2026-07-09',
        prices: { input: '5.00', cacheRead: '0.50', cacheWrite: '6.25', output: '30.00' },
        longContext: longContextAbove272k({
          input: '10.00',
          cacheRead: '1.00',
          cacheWrite: '12.50',
          output: '45.00',
        }),
      },
      {
        effectiveFrom: '2026-08-21',
        prices: { input: '4.00', cacheRead: '0.40', cacheWrite: '5.00', output: '20.00' },
        longContext: longContextAbove272k({
          input: '8.00',
          cacheRead: '0.80',
          cacheWrite: '10.00',
          output: '30.00',
        }),
      },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-5.6-terra',
    model: 'gpt-5.6-terra',
    source: SOURCE,
    serviceTiers: BATCH_FLEX_AND_FAST,
    versions: [
      {
        effectiveFrom: '2026-07-09',
        prices: { input: '2.50', cacheRead: '0.25', cacheWrite: '3.125', output: '15.00' },
        longContext: longContextAbove272k({
          input: '5.00',
          cacheRead: '0.50',
          cacheWrite: '6.25',
          output: '22.50',
        }),
      },
      {
        effectiveFrom: '2026-07-30',
        prices: { input: '2.00', cacheRead: '0.20', cacheWrite: '2.50', output: '12.00' },
        longContext: longContextAbove272k({
          input: '4.00',
          cacheRead: '0.40',
          cacheWrite: '5.00',
          output: '18.00',
        }),
      },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-5.6-luna',
    model: 'gpt-5.6-luna',
    source: SOURCE,
    serviceTiers: BATCH_FLEX_AND_FAST,
    versions: [
      {
        effectiveFrom: '2026-07-09',
        prices: { input: '1.00', cacheRead: '0.10', cacheWrite: '1.25', output: '6.00' },
        longContext: longContextAbove272k({
          input: '2.00',
          cacheRead: '0.20',
          cacheWrite: '2.50',
          output: '9.00',
        }),
      },
      {
        effectiveFrom: '2026-07-30',
        prices: { input: '0.20', cacheRead: '0.02', cacheWrite: '0.25', output: '1.20' },
        longContext: longContextAbove272k({
          input: '0.40',
          cacheRead: '0.04',
          cacheWrite: '0.50',
          output: '1.80',
        }),
      },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-6-astra',
    model: 'gpt-6-astra',
    source: SOURCE,
    // Priority ("fast mode") is 2x and, as for GPT-5.5 and earlier, not offered for long-context
    // prompts. Ultrafast (broadly available from 2026-09-29) is "6x the standard per-token rate",
    // published for short prompts only, like Fast.
    serviceTiers: {
      ...BATCH_AND_FLEX,
      priority: { multiplier: '2', appliesToLongContext: false },
      ultrafast: { multiplier: '6', appliesToLongContext: false },
    },
    longContext: longContextAbove272k({
      input: '20.00',
      cacheRead: '2.00',
      cacheWrite: '25.00',
      output: '75.00',
    }),
    versions: [
      {
        effectiveFrom: '2026-09-03',
        prices: { input: '10.00', cacheRead: '1.00', cacheWrite: '12.50', output: '50.00' },
      },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-6-sol',
    model: 'gpt-6-sol',
    source: SOURCE,
    serviceTiers: BATCH_FLEX_AND_FAST,
    longContext: longContextAbove272k({
      input: '4.00',
      cacheRead: '0.40',
      cacheWrite: '5.00',
      output: '15.00',
    }),
    versions: [
      {
        effectiveFrom: '2026-09-22',
        prices: { input: '2.00', cacheRead: '0.20', cacheWrite: '2.50', output: '10.00' },
      },
    ],
  },
  {
    provider: 'openai',
    name: 'gpt-6-luna',
    model: 'gpt-6-luna',
    source: SOURCE,
    serviceTiers: BATCH_FLEX_AND_FAST,
    longContext: longContextAbove272k({
      input: '0.20',
      cacheRead: '0.02',
      cacheWrite: '0.25',
      output: '0.75',
    }),
    versions: [
      {
        effectiveFrom: '2026-09-22',
        prices: { input: '0.10', cacheRead: '0.01', cacheWrite: '0.125', output: '0.50' },
      },
    ],
  },
  {
    // Same input and output as GPT-6 Sol; cache reads are 0.05x input instead of 0.1x.
    provider: 'openai',
    name: 'gpt-6.1-sol',
    model: 'gpt-6.1-sol',
    source: 'https://developers.openai.com/api/docs/models/gpt-6.1-sol',
    // "Ultrafast mode prices are 6x Standard."
    serviceTiers: { ...BATCH_FLEX_AND_FAST, ultrafast: { multiplier: '6' } },
    longContext: longContextAbove272k({
      input: '4.00',
      cacheRead: '0.20',
      cacheWrite: '5.00',
      output: '15.00',
    }),
    versions: [
      {
        effectiveFrom: '2026-09-29',
        prices: { input: '2.00', cacheRead: '0.10', cacheWrite: '2.50', output: '10.00' },
      },
    ],
  },
  {
    // Released 2026-10-26 at one price so far. Cache writes: $1.25 for 30-minute retention, $2.50 for
    // 12-hour, priced from `cacheWrite1hInputTokens` (the long-retention bucket). OpenAI's usage does not
    // say which retention a write had, so writes the SDK records are 30-minute ones (docs/pricing.md).
    provider: 'openai',
    name: 'gpt-6.1-terra',
    model: 'gpt-6.1-terra',
    source: 'https://developers.openai.com/api/docs/models/gpt-6.1-terra',
    serviceTiers: BATCH_FLEX_AND_FAST,
    longContext: longContextAbove272k({
      input: '2.00',
      cacheRead: '0.10',
      cacheWrite: '2.50',
      cacheWrite1h: '5.00',
      output: '7.50',
    }),
    versions: [
      {
        effectiveFrom: '2026-10-26',
        prices: {
          input: '1.00',
          cacheRead: '0.05',
          cacheWrite: '1.25',
          cacheWrite1h: '2.50',
          output: '5.00',
        },
      },
    ],
  },
  {
    // Batch and Fast but no Flex, as for GPT-6.2 Sol below.
    provider: 'openai',
    name: 'gpt-6.2-astra',
    model: 'gpt-6.2-astra',
    source: SOURCE,
    serviceTiers: BATCH_AND_FAST,
    longContext: longContextAbove272k({
      input: '16.00',
      cacheRead: '0.80',
      cacheWrite: '20.00',
      output: '60.00',
    }),
    versions: [
      {
        effectiveFrom: '2026-11-17',
        prices: { input: '8.00', cacheRead: '0.40', cacheWrite: '10.00', output: '40.00' },
      },
    ],
  },
  {
    // The GPT-6.2 pages list Batch and Fast but no Flex: "Batch costs 50% of Standard rates. Fast
    // mode costs twice the Standard rate for the same context length."
    provider: 'openai',
    name: 'gpt-6.2-sol',
    model: 'gpt-6.2-sol',
    source: 'https://developers.openai.com/api/docs/models/gpt-6.2-sol',
    // "Ultrafast costs 3 times the Standard rate through February 28, 2027, and 6 times the Standard
    // rate starting March 1, 2027": the same token prices, with a new Ultrafast multiplier.
    serviceTiers: { ...BATCH_AND_FAST, ultrafast: { multiplier: '3' } },
    longContext: longContextAbove272k({
      input: '4.00',
      cacheRead: '0.20',
      cacheWrite: '5.00',
      output: '15.00',
    }),
    versions: [
      {
        effectiveFrom: '2026-11-17',
        prices: { input: '2.00', cacheRead: '0.10', cacheWrite: '2.50', output: '10.00' },
      },
      {
        effectiveFrom: '2027-03-01',
        prices: { input: '2.00', cacheRead: '0.10', cacheWrite: '2.50', output: '10.00' },
        serviceTiers: { ...BATCH_AND_FAST, ultrafast: { multiplier: '6' } },
      },
    ],
  },
  {
    provider: 'openai',
    name: 'o1',
    model: 'o1',
    aliases: ['o1-2024-12-17'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      { effectiveFrom: '2024-12-17', prices: { input: '15.00', cacheRead: '7.50', output: '60.00' } },
    ],
  },
  {
    provider: 'openai',
    name: 'o1-preview',
    model: 'o1-preview',
    aliases: ['o1-preview-2024-09-12'],
    source: SOURCE,
    versions: [
      { effectiveFrom: '2024-09-12', prices: { input: '15.00', cacheRead: '7.50', output: '60.00' } },
    ],
  },
  {
    // o1-mini launched at $3/$12 and was cut to o3-mini's price when o3-mini shipped.
    provider: 'openai',
    name: 'o1-mini',
    model: 'o1-mini',
    aliases: ['o1-mini-2024-09-12'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      { effectiveFrom: '2024-09-12', prices: { input: '3.00', cacheRead: '1.50', output: '12.00' } },
      { effectiveFrom: '2025-01-31', prices: { input: '1.10', cacheRead: '0.55', output: '4.40' } },
    ],
  },
  {
    provider: 'openai',
    name: 'o1-pro',
    model: 'o1-pro',
    aliases: ['o1-pro-2025-03-19'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [{ effectiveFrom: '2025-03-19', prices: { input: '150.00', output: '600.00' } }],
  },
  {
    // o3 was cut by 80% on 2025-06-10, when priority arrived; flex (half price) came the day after launch.
    provider: 'openai',
    name: 'o3',
    model: 'o3',
    aliases: ['o3-2025-04-16'],
    source: SOURCE,
    versions: [
      {
        effectiveFrom: '2025-04-16',
        prices: { input: '10.00', cacheRead: '2.50', output: '40.00' },
        serviceTiers: BATCH_AND_FLEX,
      },
      {
        effectiveFrom: '2025-06-10',
        prices: { input: '2.00', cacheRead: '0.50', output: '8.00' },
        serviceTiers: withPriority({ input: '3.50', cacheRead: '0.875', output: '14.00' }),
      },
    ],
  },
  {
    provider: 'openai',
    name: 'o3-mini',
    model: 'o3-mini',
    aliases: ['o3-mini-2025-01-31'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [{ effectiveFrom: '2025-01-31', prices: { input: '1.10', cacheRead: '0.55', output: '4.40' } }],
  },
  {
    provider: 'openai',
    name: 'o3-pro',
    model: 'o3-pro',
    aliases: ['o3-pro-2025-06-10'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [{ effectiveFrom: '2025-06-10', prices: { input: '20.00', output: '80.00' } }],
  },
  {
    provider: 'openai',
    name: 'o3-deep-research',
    model: 'o3-deep-research',
    aliases: ['o3-deep-research-2025-06-26'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [
      { effectiveFrom: '2025-06-26', prices: { input: '10.00', cacheRead: '2.50', output: '40.00' } },
    ],
  },
  {
    provider: 'openai',
    name: 'o4-mini',
    model: 'o4-mini',
    aliases: ['o4-mini-2025-04-16'],
    source: SOURCE,
    serviceTiers: withPriority({ input: '2.00', cacheRead: '0.50', output: '8.00' }),
    versions: [
      { effectiveFrom: '2025-04-16', prices: { input: '1.10', cacheRead: '0.275', output: '4.40' } },
    ],
  },
  {
    provider: 'openai',
    name: 'o4-mini-deep-research',
    model: 'o4-mini-deep-research',
    aliases: ['o4-mini-deep-research-2025-06-26'],
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [{ effectiveFrom: '2025-06-26', prices: { input: '2.00', cacheRead: '0.50', output: '8.00' } }],
  },
  {
    provider: 'openai',
    name: 'codex-mini-latest',
    model: 'codex-mini-latest',
    source: SOURCE,
    versions: [
      { effectiveFrom: '2025-05-16', prices: { input: '1.50', cacheRead: '0.375', output: '6.00' } },
    ],
  },
  {
    // Embeddings bill input only; they return no output tokens.
    provider: 'openai',
    name: 'text-embedding-3-small',
    model: 'text-embedding-3-small',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [{ effectiveFrom: '2024-01-25', prices: { input: '0.02', output: '0' } }],
  },
  {
    provider: 'openai',
    name: 'text-embedding-3-large',
    model: 'text-embedding-3-large',
    source: SOURCE,
    serviceTiers: BATCH,
    versions: [{ effectiveFrom: '2024-01-25', prices: { input: '0.13', output: '0' } }],
  },
  {
    provider: 'openai',
    name: 'text-embedding-ada-002',
    model: 'text-embedding-ada-002',
    source: SOURCE,
    serviceTiers: BATCH,
    // Launched at $0.0004 / 1K tokens; cut by 75% to $0.0001 / 1K tokens on 2023-06-13.
    versions: [
      { effectiveFrom: '2022-12-15', prices: { input: '0.40', output: '0' }, source: ADA_002_LAUNCH },
      { effectiveFrom: '2023-06-13', prices: { input: '0.10', output: '0' }, source: JUNE_2023_UPDATES },
    ],
  },
]

/** OpenAI text and embedding models with their dated prices. */
export const OPENAI_MODELS: readonly PriceEntry[] = Object.freeze(MODELS.flatMap(definePriceEntries))
