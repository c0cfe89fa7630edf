import { describe, expect, it } from 'vitest'
import { compareDecimals, type Decimal, multiplyDecimals, parseDecimal } from '../money/decimal.ts'
import type { TokenPrices } from './cost-types.ts'
import { MODEL_CATALOGUE } from './model-catalogue.ts'
import { normalizeModelId } from './normalize-model-id.ts'
import type { PriceEntry } from './price-entry.ts'

const SOURCE_HOSTS: Record<string, readonly string[]> = {
  // OpenAI's announcements (openai.com) give the past prices its pricing page no longer lists.
  openai: ['developers.openai.com', 'openai.com'],
  anthropic: ['platform.claude.com'],
  google: ['ai.google.dev'],
  vertex: ['cloud.google.com'],
}

function allPriceSets(entry: PriceEntry): Array<Partial<TokenPrices>> {
  const tiers = Object.values(entry.serviceTiers ?? {}).flatMap((tier) =>
    'prices' in tier ? [tier.prices] : [],
  )
  return [entry.prices, ...(entry.longContext ?? []).map((tier) => tier.prices), ...tiers]
}

function decimal(value: string | undefined): Decimal {
  return parseDecimal(value ?? 'missing')
}

function same(a: Decimal, b: Decimal): boolean {
  return compareDecimals(a, b) === 0
}

describe('MODEL_CATALOGUE', () => {
  it('covers the models the product promises', () => {
    const ids = new Set(MODEL_CATALOGUE.map((entry) => entry.id))
    const required = [
      'openai/gpt-4o',
      'openai/gpt-4o-mini',
      'openai/gpt-4.1',
      'openai/gpt-4.1-mini',
      'openai/gpt-4.1-nano',
      'openai/gpt-5',
      'openai/gpt-5-mini',
      'openai/gpt-5-nano',
      'openai/gpt-5.5',
      'openai/o1',
      'openai/o1-mini',
      'openai/o3',
      'openai/o3-mini',
      'openai/o4-mini',
      'openai/gpt-4-turbo',
      'openai/gpt-3.5-turbo',
      'openai/text-embedding-3-small',
      'openai/text-embedding-3-large',
      'openai/text-embedding-ada-002',
      'anthropic/claude-3-5-haiku',
      'anthropic/claude-3-5-sonnet',
      'anthropic/claude-3-7-sonnet',
      'anthropic/claude-sonnet-4',
      'anthropic/claude-opus-4',
      'anthropic/claude-opus-4-1',
      'anthropic/claude-sonnet-4-5',
      'anthropic/claude-haiku-4-5',
      'anthropic/claude-opus-4-5',
      'google/gemini-1.5-flash',
      'google/gemini-1.5-pro',
      'google/gemini-2.0-flash',
      'google/gemini-2.0-flash-lite',
      'google/gemini-2.5-pro',
      'google/gemini-2.5-flash',
      'google/gemini-2.5-flash-lite',
      'google/gemini-embedding-001',
      'vertex/gemini-2.5-pro',
      'vertex/gemini-2.5-flash',
      'vertex/gemini-embedding-001',
    ]
    expect(required.filter((id) => !ids.has(id))).toEqual([])
  })

  it('holds only plain, non-negative decimal prices', () => {
    for (const entry of MODEL_CATALOGUE) {
      for (const prices of allPriceSets(entry)) {
        for (const [bucket, value] of Object.entries(prices)) {
          expect(value, `${entry.id} ${bucket}`).toMatch(/^\d+(\.\d+)?$/)
        }
      }
      for (const tier of Object.values(entry.serviceTiers ?? {})) {
        if ('multiplier' in tier) expect(tier.multiplier, entry.id).toMatch(/^\d+(\.\d+)?$/)
      }
    }
  })

  it('dates every entry and never dates one model twice', () => {
    const seen = new Set<string>()
    for (const entry of MODEL_CATALOGUE) {
      expect(entry.effectiveFrom, entry.id).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      expect(new Date(`${entry.effectiveFrom}T00:00:00Z`).toISOString().slice(0, 10), entry.id).toBe(
        entry.effectiveFrom,
      )
      const key = `${entry.id}@${entry.effectiveFrom}`
      expect(seen.has(key), key).toBe(false)
      seen.add(key)
    }
  })

  it('gives every dated entry of a model the same provider, model id and aliases', () => {
    const first = new Map<string, PriceEntry>()
    for (const entry of MODEL_CATALOGUE) {
      const earlier = first.get(entry.id)
      if (earlier === undefined) {
        first.set(entry.id, entry)
        continue
      }
      expect([entry.provider, entry.model, entry.aliases], entry.id).toEqual([
        earlier.provider,
        earlier.model,
        earlier.aliases,
      ])
    }
  })

  it('lets each model id or alias name one model per provider', () => {
    const owner = new Map<string, string>()
    for (const entry of MODEL_CATALOGUE) {
      expect(entry.id.startsWith(`${entry.provider}/`), entry.id).toBe(true)
      for (const name of [entry.model, ...entry.aliases]) {
        expect(normalizeModelId(name), `${entry.id}: ${name}`).toBe(name)
        const key = `${entry.provider}:${name}`
        expect(owner.get(key) ?? entry.id, key).toBe(entry.id)
        owner.set(key, entry.id)
      }
    }
  })

  it('cites the provider’s own pricing page, or its announcement of a past price', () => {
    for (const entry of MODEL_CATALOGUE) {
      expect(SOURCE_HOSTS[entry.provider], entry.id).toContain(new URL(entry.source).host)
    }
  })

  it('lists a reasoning price only where it differs from output', () => {
    for (const entry of MODEL_CATALOGUE) {
      for (const prices of allPriceSets(entry)) {
        if (prices.reasoning !== undefined && prices.output !== undefined) {
          expect(same(decimal(prices.reasoning), decimal(prices.output)), entry.id).toBe(false)
        }
      }
    }
  })

  it('raises prices above each long-context threshold, never lowers them', () => {
    for (const entry of MODEL_CATALOGUE) {
      for (const tier of entry.longContext ?? []) {
        for (const [bucket, value] of Object.entries(tier.prices) as Array<[keyof TokenPrices, string]>) {
          const base = entry.prices[bucket]
          if (base === undefined) continue
          expect(
            compareDecimals(decimal(value), decimal(base)),
            `${entry.id} ${bucket}`,
          ).toBeGreaterThanOrEqual(0)
        }
      }
    }
  })

  it('keeps Anthropic cache writes at 1.25x (5 minutes) and 2x (1 hour) of input', () => {
    // Claude 3 Haiku predates the rule: its page prices 5-minute writes at $0.30, not $0.3125.
    const fiveMinuteFactor: Record<string, string> = { 'anthropic/claude-3-haiku': '1.2' }
    for (const entry of MODEL_CATALOGUE.filter((candidate) => candidate.provider === 'anthropic')) {
      for (const prices of [entry.prices, ...(entry.longContext ?? []).map((tier) => tier.prices)]) {
        const input = decimal(prices.input)
        const factor = parseDecimal(fiveMinuteFactor[entry.id] ?? '1.25')
        expect(same(decimal(prices.cacheWrite), multiplyDecimals(input, factor)), entry.id).toBe(true)
        expect(same(decimal(prices.cacheWrite1h), multiplyDecimals(input, parseDecimal('2'))), entry.id).toBe(
          true,
        )
      }
    }
  })

  it('keeps Anthropic cache reads at 0.1x input, apart from the published exceptions', () => {
    // Published exceptions: Fable 5.1 and 5.2 read at 0.025x, Opus 5.5 and Sonnet 5.5 (from
    // 2026-10-07) at 0.05x; Claude 3 Haiku's $0.03 predates the rule.
    const lowerReads: Record<string, string> = {
      'anthropic/claude-3-haiku@2024-03-13': '0.12',
      'anthropic/claude-fable-5-1@2026-09-01': '0.025',
      'anthropic/claude-fable-5-2@2026-11-09': '0.025',
      'anthropic/claude-opus-5-5@2026-09-24': '0.05',
      'anthropic/claude-sonnet-5-5@2026-10-07': '0.05',
    }
    for (const entry of MODEL_CATALOGUE.filter((candidate) => candidate.provider === 'anthropic')) {
      const factor = lowerReads[`${entry.id}@${entry.effectiveFrom}`] ?? '0.1'
      for (const prices of [entry.prices, ...(entry.longContext ?? []).map((tier) => tier.prices)]) {
        const expected = multiplyDecimals(decimal(prices.input), parseDecimal(factor))
        expect(same(decimal(prices.cacheRead), expected), `${entry.id}@${entry.effectiveFrom}`).toBe(true)
      }
    }
  })

  it('never prices cached input above fresh input', () => {
    for (const entry of MODEL_CATALOGUE) {
      for (const prices of allPriceSets(entry)) {
        if (prices.cacheRead === undefined || prices.input === undefined) continue
        expect(
          compareDecimals(decimal(prices.cacheRead), decimal(prices.input)),
          entry.id,
        ).toBeLessThanOrEqual(0)
      }
    }
  })

  it('is frozen', () => {
    expect(Object.isFrozen(MODEL_CATALOGUE)).toBe(true)
    expect(MODEL_CATALOGUE.every((entry) => Object.isFrozen(entry) && Object.isFrozen(entry.prices))).toBe(
      true,
    )
  })
})
