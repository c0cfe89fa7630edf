import { describe, expect, it } from 'vitest'
import { mapOpenAiServiceTier } from './map-openai-service-tier.ts'

describe('mapOpenAiServiceTier', () => {
  it.each([
    ['flex', 'flex'],
    ['priority', 'priority'],
    // Fast mode is OpenAI's name for Priority processing: either value selects it.
    ['fast', 'priority'],
    ['ultrafast', 'ultrafast'],
    ['batch', 'batch'],
    ['default', 'standard'],
    ['auto', 'standard'],
    ['scale', 'standard'],
    [undefined, undefined],
    [null, undefined],
  ])('maps %s to %s', (value, tier) => {
    expect(mapOpenAiServiceTier(value)).toBe(tier)
  })
})
