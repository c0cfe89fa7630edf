import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { llmCallEventSchema, SERVICE_TIERS } from './llm-call-event.ts'
import { parseWellFormedEvent } from './parse-well-formed-event.ts'

// Values that sit on and around each rule's edges, with wrong types mixed in.
const tricky = fc.constantFrom<unknown>(
  null,
  '',
  'x',
  'a'.repeat(256),
  'a'.repeat(257),
  0,
  -0,
  -1,
  1.5,
  100,
  101,
  599,
  600,
  Number.MAX_SAFE_INTEGER,
  1_000_000_000,
  1_000_000_001,
  86_400_000,
  86_400_001,
  true,
  [],
  {},
  ['tag'],
  { nested: { a: 1 } },
)

const FIELDS = [
  'idempotencyKey',
  'timestamp',
  'provider',
  'model',
  'requestedModel',
  'feature',
  'conversationId',
  'messageId',
  'userId',
  'traceId',
  'usage',
  'latencyMs',
  'timeToFirstTokenMs',
  'status',
  'error',
  'retryCount',
  'streaming',
  'usageEstimated',
  'serviceTier',
  'tags',
  'metadata',
  'promptText',
  'promptHash',
  'unknownField',
] as const

// Mostly valid values, so the accepting side is reached often; now and then an edge.
const mostly = (valid: fc.Arbitrary<unknown>, edge: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: valid, weight: 15 }, { arbitrary: edge, weight: 1 })

const id = mostly(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.constantFrom('', 'a'.repeat(256), 'a'.repeat(257)),
)

const timestamps = mostly(
  fc.constantFrom(
    '2026-11-22T10:00:00.000Z',
    '2026-11-22T10:00:00Z',
    '2026-11-22T10:00:00+02:00',
    '2026-11-22T10:00:00.123456789-05:30',
    '2024-02-29T10:00:00Z',
  ),
  fc.constantFrom(
    '2026-02-29T10:00:00Z',
    '2026-11-22T24:00:00Z',
    '2026-11-22T10:00Z',
    '2026-11-22 10:00:00Z',
    '2026-11-22T10:00:00',
    '2026-13-01T00:00:00Z',
  ),
)

const usages = fc
  .record(
    {
      inputTokens: mostly(fc.integer({ min: 20_000, max: 50_000 }), tricky),
      outputTokens: mostly(fc.integer({ min: 5_000, max: 9_000 }), tricky),
      cacheReadInputTokens: mostly(fc.nat({ max: 10_000 }), fc.constant(60_000)),
      cacheWrite1hInputTokens: mostly(fc.nat({ max: 1_000 }), tricky),
      reasoningTokens: mostly(fc.nat({ max: 5_000 }), fc.constant(9_001)),
      inputAudioTokens: mostly(fc.nat({ max: 100 }), tricky),
    },
    { requiredKeys: ['inputTokens', 'outputTokens'] },
  )
  .chain((usage) => mostly(fc.constant(usage), fc.constant({ ...usage, surprise: 1 })))

const errors = fc.record(
  {
    type: mostly(fc.constantFrom('rate_limit', 'overloaded'), fc.constant('bogus')),
    code: id,
    httpStatus: mostly(fc.integer({ min: 100, max: 599 }), tricky),
    message: mostly(fc.string({ maxLength: 10 }), fc.constant('m'.repeat(2001))),
  },
  { requiredKeys: ['type'] },
)

const fieldValues: Record<(typeof FIELDS)[number], fc.Arbitrary<unknown>> = {
  idempotencyKey: id,
  timestamp: timestamps,
  provider: mostly(
    fc.constantFrom('openai', 'anthropic', 'google'),
    fc.constantFrom('OpenAI', 'a'.repeat(65), '-x'),
  ),
  model: id,
  requestedModel: id,
  feature: id,
  conversationId: id,
  messageId: id,
  userId: id,
  traceId: id,
  usage: usages,
  latencyMs: mostly(fc.double({ min: 0, max: 86_400_000, noNaN: true }), fc.constantFrom(-1, 86_400_001)),
  timeToFirstTokenMs: mostly(fc.double({ min: 0, max: 1_000, noNaN: true }), tricky),
  status: mostly(fc.constantFrom('success', 'error', 'incomplete'), fc.constant('failed')),
  error: errors,
  retryCount: mostly(fc.integer({ min: 0, max: 100 }), fc.constantFrom(-1, 101, 1.5)),
  streaming: mostly(fc.boolean(), tricky),
  usageEstimated: mostly(fc.boolean(), tricky),
  serviceTier: mostly(fc.constantFrom(...SERVICE_TIERS), fc.constant('turbo')),
  tags: mostly(
    fc.array(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 5 }),
    fc.constantFrom(
      [''],
      ['t'.repeat(129)],
      Array.from({ length: 33 }, () => 't'),
    ),
  ),
  metadata: mostly(
    fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }),
    fc.constant({ big: 'b'.repeat(17_000) }),
  ),
  promptText: fc.string({ maxLength: 20 }),
  promptHash: mostly(fc.constant('sha256:abcdef12'), fc.constantFrom('short', 'bad hash!')),
  unknownField: tricky,
}

const event = fc
  .tuple(
    fc.record(fieldValues, {
      requiredKeys: ['timestamp', 'provider', 'model', 'usage'],
    }),
    fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.option(tricky, { nil: undefined })), { maxLength: 1 }),
  )
  .map(([base, twists]) => {
    const raw: Record<string, unknown> = { ...base }
    delete raw.unknownField
    for (const [field, value] of twists) {
      if (value === undefined) delete raw[field]
      else raw[field] = value
    }
    // Through JSON, as ingest receives it: no undefined, no -0, no non-finite numbers.
    return JSON.parse(JSON.stringify(raw)) as unknown
  })

const wellFormed = {
  idempotencyKey: 'c1:m1:1763805600000',
  timestamp: '2026-11-22T10:00:00.000Z',
  provider: 'openai',
  model: 'gpt-4o-mini',
  feature: 'support-chat',
  conversationId: 'c1',
  messageId: 'm1',
  userId: 'u42',
  usage: { inputTokens: 10_000, cacheReadInputTokens: 2_048, outputTokens: 500 },
  latencyMs: 812,
  status: 'error',
  error: { type: 'rate_limit', httpStatus: 429, message: 'slow down' },
  retryCount: 2,
  tags: ['beta'],
  metadata: { plan: 'pro', nested: { depth: [1, 2] } },
}

describe('parseWellFormedEvent', () => {
  it('takes a typical event and applies the schema defaults', () => {
    const parsed = parseWellFormedEvent(wellFormed)
    expect(parsed).toStrictEqual(llmCallEventSchema.parse(wellFormed))
    expect(parsed).toMatchObject({ streaming: false, usageEstimated: false, serviceTier: 'standard' })
  })

  it('accepts only what the schema accepts, with the same output', () => {
    let accepted = 0
    fc.assert(
      fc.property(event, (raw) => {
        const fast = parseWellFormedEvent(raw)
        if (fast === undefined) return
        accepted++
        const schema = llmCallEventSchema.safeParse(raw)
        expect(schema.success).toBe(true)
        expect(fast).toStrictEqual(schema.data)
      }),
      { numRuns: 20_000 },
    )
    // The generator must reach the accepting side often enough for the check above to mean something.
    expect(accepted).toBeGreaterThan(1_000)
  })

  it('leaves every event the schema accepts with a twist it does not model to the schema', () => {
    for (const twist of [
      { ...wellFormed, usage: { ...wellFormed.usage, cacheReadInputTokens: 20_000 } },
      { ...wellFormed, error: { ...wellFormed.error, extra: 1 } },
      { ...wellFormed, feature: null },
      JSON.parse('{"__proto__": {"x": 1}, "timestamp": "2026-11-22T10:00:00Z"}'),
      // Too deep: the schema explains it. Measured naively, it would overflow the call stack.
      { ...wellFormed, metadata: JSON.parse(`{"a":${'['.repeat(999_999)}${']'.repeat(999_999)}}`) },
    ]) {
      expect(parseWellFormedEvent(twist)).toBeUndefined()
    }
  })

  it('keeps metadata as the client sent it, a "__proto__" key included, as the schema does', () => {
    const event = { ...wellFormed, metadata: JSON.parse('{"__proto__": 1, "plan": "pro"}') as object }
    const fast = parseWellFormedEvent(event)
    expect(fast?.metadata).toBe(event.metadata)
    expect(llmCallEventSchema.parse(event).metadata).toBe(event.metadata)
    expect(JSON.stringify(fast?.metadata)).toBe('{"__proto__":1,"plan":"pro"}')
  })
})
