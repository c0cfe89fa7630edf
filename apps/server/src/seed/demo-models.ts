import type { ServiceTier } from '@ai-cost-profiler/core'

/** The providers demo data covers. */
export type DemoProvider = 'openai' | 'anthropic' | 'google'

/**
 * How a model caches prompts: `explicit` (Anthropic's cache_control, with 5-minute and 1-hour
 * writes), `implicit` (OpenAI and Gemini 2.5+ reuse recent prefixes on their own) or `none`.
 */
export type DemoCaching = 'explicit' | 'implicit' | 'none'

/** How a model behaves in demo data: speed, thinking, caching and the service tiers it is sold in. */
export interface DemoModel {
  provider: DemoProvider
  model: string
  /** Reports reasoning ("thinking") tokens as a part of its output. */
  reasoning: boolean
  caching: DemoCaching
  /** Output speed once streaming has started. */
  outputTokensPerSecond: number
  /** Typical time to first token for a short prompt. */
  timeToFirstTokenMs: number
  /** Tiers other than `standard` the provider sells for this model. */
  tiers: readonly ServiceTier[]
}

type Row = readonly [
  provider: DemoProvider,
  model: string,
  reasoning: boolean,
  caching: DemoCaching,
  outputTokensPerSecond: number,
  timeToFirstTokenMs: number,
  tiers: readonly ServiceTier[],
]

// One row per model keeps the table readable; the catalogue in core holds the prices.
const ROWS = {
  'gpt-6-sol': ['openai', 'gpt-6-sol', true, 'implicit', 85, 1_800, ['batch', 'flex']],
  'gpt-6-luna': ['openai', 'gpt-6-luna', true, 'implicit', 160, 700, ['batch', 'flex']],
  'gpt-5': ['openai', 'gpt-5', true, 'implicit', 70, 2_500, ['batch', 'flex', 'priority']],
  'gpt-5-mini': ['openai', 'gpt-5-mini', true, 'implicit', 110, 1_500, ['batch', 'flex', 'priority']],
  'gpt-4.1': ['openai', 'gpt-4.1', false, 'implicit', 80, 600, ['batch', 'priority']],
  'gpt-4.1-mini': ['openai', 'gpt-4.1-mini', false, 'implicit', 120, 450, ['batch', 'priority']],
  'gpt-4.1-nano': ['openai', 'gpt-4.1-nano', false, 'implicit', 180, 300, ['batch', 'priority']],
  'gpt-4o': ['openai', 'gpt-4o', false, 'implicit', 90, 500, ['batch', 'priority']],
  'gpt-4o-mini': ['openai', 'gpt-4o-mini', false, 'implicit', 110, 400, ['batch', 'priority']],
  o3: ['openai', 'o3', true, 'implicit', 60, 4_000, ['batch', 'flex', 'priority']],
  'o4-mini': ['openai', 'o4-mini', true, 'implicit', 100, 2_000, ['batch', 'flex', 'priority']],
  'claude-sonnet-5-5': ['anthropic', 'claude-sonnet-5-5', false, 'explicit', 75, 900, ['batch']],
  'claude-haiku-5-5': ['anthropic', 'claude-haiku-5-5', false, 'explicit', 140, 400, ['batch']],
  'claude-opus-4-1': ['anthropic', 'claude-opus-4-1', false, 'explicit', 40, 1_800, ['batch']],
  'claude-sonnet-4-5': ['anthropic', 'claude-sonnet-4-5', false, 'explicit', 65, 1_100, ['batch']],
  'claude-sonnet-4-0': ['anthropic', 'claude-sonnet-4-0', false, 'explicit', 60, 1_200, ['batch']],
  'claude-haiku-4-5': ['anthropic', 'claude-haiku-4-5', false, 'explicit', 120, 500, ['batch']],
  'claude-3-5-haiku-latest': ['anthropic', 'claude-3-5-haiku-latest', false, 'explicit', 100, 600, ['batch']],
  'gemini-3.1-pro-preview': ['google', 'gemini-3.1-pro-preview', true, 'implicit', 80, 3_000, ['batch']],
  'gemini-3.5-flash': ['google', 'gemini-3.5-flash', true, 'implicit', 220, 600, ['batch', 'flex']],
  'gemini-2.5-pro': ['google', 'gemini-2.5-pro', true, 'implicit', 90, 2_500, ['batch']],
  'gemini-2.5-flash': ['google', 'gemini-2.5-flash', true, 'implicit', 200, 700, ['batch']],
  'gemini-2.5-flash-lite': ['google', 'gemini-2.5-flash-lite', false, 'implicit', 300, 350, ['batch']],
  'gemini-2.0-flash': ['google', 'gemini-2.0-flash', false, 'none', 220, 400, ['batch']],
  // Fine-tuned models the catalogue cannot know: stored as `unpriced`, never as a silent $0.
  'ft-support-classifier': [
    'openai',
    'ft:gpt-4.1-mini-2025-04-14:acme:support-intent:9xK2LmQ4',
    false,
    'implicit',
    120,
    450,
    [],
  ],
  'tuned-summarizer': ['google', 'tunedModels/acme-ticket-summarizer-v2', false, 'none', 220, 400, []],
} as const satisfies Record<string, Row>

/** A key of `DEMO_MODELS`. */
export type DemoModelKey = keyof typeof ROWS

/** Real model ids the core catalogue prices, plus two fine-tuned ids it cannot price. */
export const DEMO_MODELS = Object.fromEntries(
  Object.entries(ROWS).map(([key, row]): [string, DemoModel] => {
    const [provider, model, reasoning, caching, outputTokensPerSecond, timeToFirstTokenMs, tiers] = row
    return [key, { provider, model, reasoning, caching, outputTokensPerSecond, timeToFirstTokenMs, tiers }]
  }),
) as Readonly<Record<DemoModelKey, DemoModel>>
