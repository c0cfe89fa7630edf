import { ANTHROPIC_MODELS } from './catalogue/anthropic-models.ts'
import { GOOGLE_MODELS } from './catalogue/google-models.ts'
import { OPENAI_MODELS } from './catalogue/openai-models.ts'
import { VERTEX_MODELS } from './catalogue/vertex-models.ts'
import type { PriceEntry } from './price-entry.ts'

/**
 * Every priced model of the catalogue, one entry per model and price date. Prices are USD per
 * million tokens as decimal strings; see `PriceEntry`.
 */
export const MODEL_CATALOGUE: readonly PriceEntry[] = Object.freeze([
  ...OPENAI_MODELS,
  ...ANTHROPIC_MODELS,
  ...GOOGLE_MODELS,
  ...VERTEX_MODELS,
])
