import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ServiceTier } from '../events/llm-call-event.ts'
import type { TokenPrices } from './cost-types.ts'
import { PRICE_BUCKETS, type PriceSchedule, priceUsage } from './price-usage.ts'
import { usageArbitrary } from './test-support/usage-arbitrary.ts'

// Prices with 0 to 7 decimals, from fractions of a cent to thousands of dollars per million tokens.
const price = fc
  .record({ units: fc.integer({ min: 0, max: 2_000_000_000 }), decimals: fc.integer({ min: 0, max: 7 }) })
  .map(({ units, decimals }) => {
    const digits = String(units).padStart(decimals + 1, '0')
    return decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`
  })

const prices: fc.Arbitrary<TokenPrices> = fc
  .record(
    Object.fromEntries(PRICE_BUCKETS.map((bucket) => [bucket, price])) as Record<
      (typeof PRICE_BUCKETS)[number],
      fc.Arbitrary<string>
    >,
    { requiredKeys: ['input', 'output'] },
  )
  .map((drawn) => drawn as TokenPrices)

// Token counts up to the stored column's limit, so products pass 2^53 as well as stay below it.
const tokens = fc.oneof(fc.integer({ min: 0, max: 50_000 }), fc.integer({ min: 0, max: 2_147_483_647 }))

const usage = usageArbitrary(tokens)

const serviceTier = fc.constantFrom<ServiceTier | undefined>(undefined, 'standard', 'batch', 'flex')

// The same price with trailing zeros up to 9 decimals: equal in value, but too fine for whole
// picodollars per token, so it is billed with the decimal maths alone.
function padded(prices: TokenPrices): TokenPrices {
  return Object.fromEntries(
    Object.entries(prices).map(([bucket, value]) => {
      const [whole, fraction = ''] = value.split('.')
      return [bucket, `${whole}.${fraction.padEnd(9, '0')}`]
    }),
  ) as unknown as TokenPrices
}

function schedule(id: string, tokenPrices: TokenPrices): PriceSchedule {
  return {
    id,
    prices: tokenPrices,
    longContext: [{ aboveInputTokens: 200_000, prices: { input: '2.5', output: '15' } }],
    serviceTiers: { batch: { multiplier: '0.5' }, flex: { multiplier: '0.35' } },
  }
}

describe('priceUsage', () => {
  it('bills in whole picodollars exactly as the decimal maths does, below and above 2^53', () => {
    fc.assert(
      fc.property(prices, usage, serviceTier, (tokenPrices, callUsage, tier) => {
        const fast = priceUsage({
          schedule: schedule('fast', tokenPrices),
          usage: callUsage,
          serviceTier: tier,
        })
        const exact = priceUsage({
          schedule: schedule('decimal', padded(tokenPrices)),
          usage: callUsage,
          serviceTier: tier,
        })
        expect(fast).toEqual(exact)
      }),
      { numRuns: 2_000 },
    )
  })

  it('prints amounts a picodollar short of a whole dollar exactly', () => {
    const nearlyADollar = { id: 'near', prices: { input: '999999.999999', output: '0' } }
    expect(priceUsage({ schedule: nearlyADollar, usage: { inputTokens: 1, outputTokens: 0 } }).costUsd).toBe(
      '0.999999999999',
    )
    // 1,001 × 999,999,999,999 picodollars.
    expect(
      priceUsage({ schedule: nearlyADollar, usage: { inputTokens: 1_001, outputTokens: 0 } }).costUsd,
    ).toBe('1000.999999998999')
  })

  it('prints amounts past the integer range of a double exactly', () => {
    const priced = priceUsage({
      schedule: { id: 'dear', prices: { input: '2000', output: '4000.5' } },
      usage: { inputTokens: 2_147_483_647, outputTokens: 2_147_483_647 },
    })
    // 2,147,483,647 × $2,000/M + 2,147,483,647 × $4,000.5/M, carried out by hand.
    expect(priced.breakdown).toEqual({ input: '4294967.294000000000', output: '8591008.329823500000' })
    expect(priced.costUsd).toBe('12885975.623823500000')
  })
})
