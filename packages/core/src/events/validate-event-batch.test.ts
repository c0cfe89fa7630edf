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
})
