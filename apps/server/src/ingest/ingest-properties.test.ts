import fc from 'fast-check'
import { expect, it } from 'vitest'
import { createTestApp } from '../testing/create-test-app.ts'
import { describeEachDatabase } from '../testing/test-databases.ts'

const validEvent = fc.record({
  idempotencyKey: fc.uuid(),
  timestamp: fc
    .date({
      min: new Date('2026-01-01T00:00:00Z'),
      max: new Date('2026-11-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((date) => date.toISOString()),
  provider: fc.constantFrom('openai', 'anthropic', 'google'),
  model: fc.constantFrom(
    'gpt-4o-mini',
    'gpt-4o',
    'claude-sonnet-4-20250514',
    'gemini-2.5-flash',
    'made-up-model',
  ),
  usage: fc
    .record({ inputTokens: fc.nat(200_000), outputTokens: fc.nat(20_000), cached: fc.nat(100) })
    .map(({ inputTokens, outputTokens, cached }) => ({
      inputTokens,
      outputTokens,
      cacheReadInputTokens: Math.floor((inputTokens * cached) / 100),
    })),
  status: fc.constantFrom('success', 'error'),
})

type Mutation = (event: Record<string, unknown>) => unknown
const mutations: Mutation[] = [
  (event) => ({ ...event, usage: { inputTokens: -1, outputTokens: 0 } }),
  (event) => ({ ...event, usage: { inputTokens: 1.5, outputTokens: 0 } }),
  (event) => ({ ...event, usage: { inputTokens: 5, outputTokens: 0, cacheReadInputTokens: 6 } }),
  (event) => ({ ...event, timestamp: '2026-11-22 10:00' }),
  (event) => ({ ...event, timestamp: '2999-01-01T00:00:00Z' }),
  (event) => ({ ...event, surprise: true }),
  (event) => ({ ...event, model: 'm'.repeat(10_000) }),
  (event) => ({ ...event, metadata: { big: 'x'.repeat(20_000) } }),
  (event) => ({ ...event, provider: 42 }),
  (event) => ({ ...event, status: 'maybe' }),
  (event) => ({ ...event, feature: 'nul\u0000byte' }),
  (event) => ({ ...event, metadata: { note: 'lone \udc00 surrogate' } }),
  ({ usage: _usage, ...event }) => event,
  () => 'not an object',
  () => null,
]

const batch = fc.array(
  fc.tuple(validEvent, fc.option(fc.integer({ min: 0, max: mutations.length - 1 }), { freq: 2 })),
  { minLength: 1, maxLength: 30 },
)

describeEachDatabase('ingest properties', (getDb) => {
  it('never answers 5xx, never writes part of a rejected event, and accounts for every event', async () => {
    const t = await createTestApp(getDb(), { now: () => Date.parse('2026-11-22T12:00:00Z') })
    await fc.assert(
      fc.asyncProperty(batch, fc.boolean(), async (items, repeatFirst) => {
        const events: unknown[] = items.map(([event, mutation]) =>
          mutation === null ? event : mutations[mutation]!(event as unknown as Record<string, unknown>),
        )
        if (repeatFirst) events.push(events[0])
        const before = (
          await t.get('/v1/analytics/summary?from=2000-01-01T00:00:00Z&to=2027-01-01T00:00:00Z')
        ).body.requests as number
        const { status, body } = await t.postEvents(events)
        expect([200, 207, 400]).toContain(status)
        const rejected = new Set((body.errors as Array<{ index: number }>).map((error) => error.index)).size
        expect((body.accepted as number) + (body.duplicates as number) + rejected).toBe(events.length)
        const after = (await t.get('/v1/analytics/summary?from=2000-01-01T00:00:00Z&to=2027-01-01T00:00:00Z'))
          .body.requests as number
        expect(after - before).toBe(body.accepted)
      }),
      { numRuns: 40 },
    )
  })
})
