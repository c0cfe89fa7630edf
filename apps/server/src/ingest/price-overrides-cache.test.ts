import { describe, expect, it } from 'vitest'
import type { Queryable } from '../storage/database.ts'
import { createPriceOverridesCache } from './price-overrides-cache.ts'

function fakeDb(answers: Array<Array<Record<string, unknown>> | Error>) {
  const calls: unknown[][] = []
  const db: Queryable = {
    async query<Row>(_sql: string, params?: readonly unknown[]) {
      calls.push([...(params ?? [])])
      const answer = answers.shift()
      if (answer instanceof Error) throw answer
      return { rows: (answer ?? []) as Row[], rowCount: answer?.length ?? 0 }
    },
    async exec() {},
  }
  return { db, calls }
}

const row = (input: string) => ({
  id: 'o1',
  provider: 'openai',
  model: 'gpt-4o',
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  prices: { input, output: '1' },
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
})

describe('price overrides cache', () => {
  it('reads a project once per TTL, again at once after invalidate, and keeps the last read when a reload fails', async () => {
    let nowMs = 0
    const { db, calls } = fakeDb([[row('1')], [row('2')], new Error('connection reset')])
    const cache = createPriceOverridesCache({ db, ttlMs: 30_000, now: () => nowMs })
    const [a, b] = await Promise.all([cache.get('p1'), cache.get('p1')])
    expect(a).toEqual([
      {
        id: 'o1',
        provider: 'openai',
        model: 'gpt-4o',
        effectiveFrom: '2026-01-01T00:00:00.000Z',
        prices: { input: '1', output: '1' },
      },
    ])
    expect(b).toBe(a)
    nowMs = 29_999
    await cache.get('p1')
    expect(calls).toHaveLength(1)

    cache.invalidate('p1')
    expect((await cache.get('p1'))[0]?.prices.input).toBe('2')
    nowMs = 60_000
    expect((await cache.get('p1'))[0]?.prices.input).toBe('2')
    expect(calls).toHaveLength(3)
  })
})
