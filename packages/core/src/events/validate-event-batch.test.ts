import { describe, expect, it } from 'vitest'
import { validateEventBatch } from './validate-event-batch.ts'

const nowMs = Date.parse('2026-11-22T12:00:00.000Z')
const base = {
  idempotencyKey: 'c1:m1:1763805600000',
  timestamp: '2026-11-22T10:00:00.000Z',
  provider: 'openai',
  model: 'gpt-4o-mini',
  conversationId: 'c1',
  messageId: 'm1',
  usage: { inputTokens: 10000, cacheReadInputTokens: 2048, outputTokens: 500 },
  latencyMs: 812,
  status: 'success',
  serviceTier: 'standard',
}

describe('validateEventBatch', () => {
  it('accepts the documented example and applies defaults', () => {
    const { valid, errors } = validateEventBatch([base], { nowMs })
    expect(errors).toEqual([])
    expect(valid[0]?.event.retryCount).toBe(0)
    expect(valid[0]?.event.streaming).toBe(false)
    expect(valid[0]?.idempotencyKey).toBe('c1:m1:1763805600000')
  })

  it('reports index, field path and a stable code for each problem', () => {
    const events = [
      { ...base, idempotencyKey: 'a', usage: { inputTokens: -1, outputTokens: 1.5 } },
      { ...base, idempotencyKey: 'b', usage: { inputTokens: 10, cacheReadInputTokens: 11, outputTokens: 0 } },
      { ...base, idempotencyKey: 'c', timestamp: '2026-11-22T10:00:00' },
      { ...base, idempotencyKey: 'd', colour: 'red' },
      { ...base, idempotencyKey: 'e', timestamp: '2027-01-01T00:00:00Z' },
      { ...base, idempotencyKey: 'f', metadata: { blob: 'x'.repeat(20_000) } },
      { ...base, idempotencyKey: 'g', model: undefined },
      // A negative whole is one problem, not also a "part exceeds whole" one.
      { ...base, idempotencyKey: 'h', usage: { inputTokens: -1, outputTokens: 1 } },
    ]
    const { valid, errors } = validateEventBatch(events, { nowMs })
    expect(valid).toEqual([])
    expect(errors.map(({ index, path, code }) => [index, path, code])).toEqual([
      [0, 'usage.inputTokens', 'INVALID_VALUE'],
      [0, 'usage.outputTokens', 'INVALID_TYPE'],
      [1, 'usage.cacheReadInputTokens', 'PART_EXCEEDS_WHOLE'],
      [2, 'timestamp', 'INVALID_VALUE'],
      [3, '', 'UNKNOWN_FIELD'],
      [4, 'timestamp', 'TIMESTAMP_IN_FUTURE'],
      [5, 'metadata', 'TOO_LARGE'],
      [6, 'model', 'MISSING_FIELD'],
      [7, 'usage.inputTokens', 'INVALID_VALUE'],
    ])
    for (const error of errors) expect(error.message.length).toBeGreaterThan(5)
  })

  it('says how to fix a wrong type, once per field', () => {
    const events = [
      { ...base, idempotencyKey: 'a', usage: { inputTokens: 1.5, outputTokens: 2 ** 53 + 1 } },
      { ...base, idempotencyKey: 'b', metadata: ['plan'], streaming: 'yes', latencyMs: '812' },
      { ...base, idempotencyKey: 'c', status: 'error', error: { code: 'x' } },
    ]
    const { errors } = validateEventBatch(events, { nowMs })
    expect(errors.map(({ index, path, code, message }) => [index, path, code, message])).toEqual([
      [0, 'usage.inputTokens', 'INVALID_TYPE', 'must be a whole number of tokens'],
      // Past 2^53 too, the field's own limit is the one that tells the client what to send.
      [0, 'usage.outputTokens', 'TOO_LARGE', 'must be at most 1000000000'],
      [1, 'latencyMs', 'INVALID_TYPE', 'must be a finite number'],
      [1, 'streaming', 'INVALID_TYPE', 'must be true or false'],
      [1, 'metadata', 'INVALID_TYPE', 'must be a JSON object, e.g. {"plan": "pro"}'],
      [2, 'error.type', 'MISSING_FIELD', expect.stringMatching(/^is required \(one of "rate_limit", /)],
    ])
  })

  it('says that an impossible date does not exist, rather than that the offset is missing', () => {
    const events = [
      { ...base, idempotencyKey: 'a', timestamp: '2026-02-30T00:00:00Z' },
      { ...base, idempotencyKey: 'b', timestamp: '2026-04-31T23:00:00.000-05:00' },
      // Without an offset it is the format that is wrong, whatever the date.
      { ...base, idempotencyKey: 'c', timestamp: '2026-02-30T00:00:00' },
    ]
    const { errors } = validateEventBatch(events, { nowMs })
    expect(errors.map(({ index, path, code, message }) => [index, path, code, message])).toEqual([
      [0, 'timestamp', 'INVALID_VALUE', 'must be a real date: 2026-02-30 does not exist'],
      [1, 'timestamp', 'INVALID_VALUE', 'must be a real date: 2026-04-31 does not exist'],
      [
        2,
        'timestamp',
        'INVALID_VALUE',
        'must be an ISO 8601 time with an offset, e.g. 2026-11-22T10:00:00.000Z',
      ],
    ])
  })

  it('names what a missing field takes, a leap second, and the allowed clock skew as configured', () => {
    const events = [
      { ...base, idempotencyKey: 'a', usage: {} },
      { ...base, idempotencyKey: 'b', timestamp: '2016-12-31T23:59:60Z' },
      { ...base, idempotencyKey: 'c', timestamp: new Date(nowMs + 96_000).toISOString() },
      { ...base, idempotencyKey: 'd', timestamp: undefined },
    ]
    const messages = (maxFutureMs: number) =>
      validateEventBatch(events, { nowMs, maxFutureMs }).errors.map(({ index, path, message }) => [
        index,
        path,
        message,
      ])
    expect(messages(90_000)).toEqual([
      [0, 'usage.inputTokens', 'is required (a whole number of tokens)'],
      [0, 'usage.outputTokens', 'is required (a whole number of tokens)'],
      [1, 'timestamp', expect.stringMatching(/^is a leap second \(second 60\), which is not taken; /)],
      [2, 'timestamp', "is more than 90 seconds in the future; check the client's clock and time zone"],
      [3, 'timestamp', expect.stringMatching(/^is required \(an ISO 8601 time with an offset, e\.g\. /)],
    ])
    expect(messages(60_000)[3]?.[2]).toMatch(/^is more than 1 minute in /)
    expect(messages(1_500)[3]?.[2]).toMatch(/^is more than 1500 ms in /)
  })

  it('counts lengths in Unicode characters, as docs/api.md says', () => {
    const events = [
      { ...base, idempotencyKey: 'a', model: '😀'.repeat(256) },
      { ...base, idempotencyKey: 'b', model: '😀'.repeat(257) },
      { ...base, idempotencyKey: 'c', promptText: '😀'.repeat(100_000) },
      { ...base, idempotencyKey: 'd', promptText: '😀'.repeat(100_001) },
    ]
    const { valid, errors } = validateEventBatch(events, { nowMs })
    expect(valid.map((event) => event.idempotencyKey)).toEqual(['a', 'c'])
    expect(errors.map(({ index, path, code }) => [index, path, code])).toEqual([
      [1, 'model', 'TOO_LARGE'],
      [3, 'promptText', 'TOO_LARGE'],
    ])
  })

  it('writes the time in UTC to the microsecond, whatever offset and precision it came with', () => {
    const events = [
      { ...base, idempotencyKey: 'a', timestamp: '2026-11-22T10:00:00+16:00' },
      { ...base, idempotencyKey: 'b', timestamp: '2026-11-21T23:59:59.9999999Z' },
      { ...base, idempotencyKey: 'c', timestamp: '2026-11-22T10:00:00Z' },
    ]
    const { valid, errors } = validateEventBatch(events, { nowMs })
    expect(errors).toEqual([])
    expect(valid.map(({ event }) => event.timestamp)).toEqual([
      '2026-11-21T18:00:00.000Z',
      '2026-11-21T23:59:59.999999Z',
      '2026-11-22T10:00:00Z',
    ])
  })

  it('keeps a "__proto__" key of metadata as an ordinary key', () => {
    const raw = JSON.parse(`{"metadata": {"__proto__": {"admin": true}, "plan": "pro"}}`) as object
    const { valid, errors } = validateEventBatch([{ ...base, ...raw }], { nowMs })
    expect(errors).toEqual([])
    const metadata = valid[0]?.event.metadata
    expect(JSON.stringify(metadata)).toBe('{"__proto__":{"admin":true},"plan":"pro"}')
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype)
  })

  it('rejects metadata numbers that JSON parsing already changed, naming where, and keeps exact ones', () => {
    const raw = (metadata: string) => JSON.parse(`{"metadata": ${metadata}}`) as object
    const events = [
      { ...base, idempotencyKey: 'x1', ...raw('{"orderId": 12345678901234567891}') },
      { ...base, idempotencyKey: 'x2', ...raw('{"limits": {"huge": 1e400}}') },
      { ...base, idempotencyKey: 'x3', ...raw('{"items": [{"id": 1}, {"id": -9007199254740993}]}') },
      { ...base, idempotencyKey: 'x4', ...raw('{"id": 9007199254740991, "ratio": 0.1, "tiny": 1.5e-300}') },
    ]
    const { valid, errors } = validateEventBatch(events, { nowMs })
    expect(errors.map(({ index, path, code }) => [index, path, code])).toEqual([
      [0, 'metadata', 'INVALID_VALUE'],
      [1, 'metadata', 'INVALID_VALUE'],
      [2, 'metadata', 'INVALID_VALUE'],
    ])
    expect(errors.map(({ message }) => message)).toEqual([
      expect.stringContaining('at orderId'),
      expect.stringContaining('at limits.huge'),
      expect.stringContaining('at items.1.id'),
    ])
    expect(errors[0]?.message).toContain('send it as a string')
    expect(valid.map((item) => item.index)).toEqual([3])
  })

  it('rejects text the database cannot store, naming the field', () => {
    const events = [
      { ...base, idempotencyKey: 'n1', feature: 'a\u0000b' },
      { ...base, idempotencyKey: 'n2', metadata: { nested: ['ok', 'bad \ud800'] } },
      { ...base, idempotencyKey: 'n3', metadata: { 'key\u0000': 1 } },
      { ...base, idempotencyKey: 'n4', feature: 'emoji 😀 is fine' },
    ]
    const { valid, errors } = validateEventBatch(events, { nowMs })
    expect(errors.map(({ index, path }) => [index, path])).toEqual([
      [0, 'feature'],
      [1, 'metadata.nested.1'],
      [2, 'metadata.key\u0000'],
    ])
    expect(valid.map((item) => item.index)).toEqual([3])
  })

  it('rejects metadata nested too deep as an error of that event, even a million levels deep', () => {
    // About 2 MB of JSON text; measuring it with JSON.stringify overflows the call stack.
    const deep = (levels: number) =>
      JSON.parse(`{"a":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`) as Record<string, unknown>
    const events = [
      { ...base, idempotencyKey: 'd1', metadata: deep(1_000_000) },
      { ...base, idempotencyKey: 'd2', metadata: deep(33) },
      { ...base, idempotencyKey: 'd3', metadata: deep(32) },
    ]
    const { valid, errors } = validateEventBatch(events, { nowMs })
    expect(errors).toEqual([
      {
        index: 0,
        path: 'metadata',
        code: 'TOO_LARGE',
        message: 'nests objects and arrays more than 32 levels deep; flatten it, e.g. with dotted keys',
      },
      expect.objectContaining({ index: 1, path: 'metadata', code: 'TOO_LARGE' }),
    ])
    expect(valid.map((item) => item.index)).toEqual([2])
  })

  it('derives a key from conversation, message and time and rejects repeats within a batch', () => {
    const withoutKey = { ...base, idempotencyKey: undefined }
    const { valid, errors } = validateEventBatch([withoutKey, withoutKey], { nowMs })
    expect(valid.map((item) => item.idempotencyKey)).toEqual([`c1:m1:${Date.parse(base.timestamp)}`])
    expect(errors).toEqual([expect.objectContaining({ index: 1, code: 'DUPLICATE_IN_BATCH' })])
  })

  it('derives different keys for ids that only a separator tells apart', () => {
    const event = (conversationId: string, messageId: string) => ({
      ...base,
      idempotencyKey: undefined,
      conversationId,
      messageId,
    })
    const { valid, errors } = validateEventBatch(
      [event('a:b', 'c'), event('a', 'b:c'), event('a%3Ab', 'c'), event('a', 'b')],
      { nowMs },
    )
    expect(errors).toEqual([])
    const epochMs = Date.parse(base.timestamp)
    expect(valid.map((item) => item.idempotencyKey)).toEqual([
      `a%3Ab:c:${epochMs}`,
      `a:b%3Ac:${epochMs}`,
      `a%253Ab:c:${epochMs}`,
      `a:b:${epochMs}`,
    ])
  })
})
