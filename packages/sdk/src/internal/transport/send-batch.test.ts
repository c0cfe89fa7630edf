import type { LlmCallEventInput } from '@ai-cost-profiler/core'
import { describe, expect, it } from 'vitest'
import { serializeBatch } from './send-batch.ts'

function event(index: number): LlmCallEventInput {
  return {
    idempotencyKey: `key-${index}`,
    timestamp: '2026-11-29T10:00:00.000Z',
    provider: 'openai',
    model: index % 2 === 0 ? 'gpt-4o-mini-2024-07-18' : 'gpt-4.1 "quoted" \\ \u2028 ünïcode',
    usage: { inputTokens: index, outputTokens: 2 * index, cacheReadInputTokens: undefined },
    latencyMs: index / 3,
    status: 'success',
    retryCount: 0,
    streaming: index % 3 === 0,
    serviceTier: 'standard',
    metadata: index % 5 === 0 ? { nested: { list: [1, null, 'x'] } } : undefined,
  }
}

describe('serializeBatch', () => {
  it('writes the same text as one JSON.stringify of the body', async () => {
    for (const size of [0, 1, 25, 26, 100, 333]) {
      const events = Array.from({ length: size }, (_, index) => event(index))
      expect(await serializeBatch(events)).toBe(JSON.stringify({ events }))
    }
  })

  it('lets the event loop run other work while a large batch is serialised', async () => {
    const events = Array.from({ length: 200 }, (_, index) => event(index))
    const order: string[] = []
    setImmediate(() => order.push('other work'))
    await serializeBatch(events).then(() => order.push('serialised'))
    expect(order).toEqual(['other work', 'serialised'])
  })
})
