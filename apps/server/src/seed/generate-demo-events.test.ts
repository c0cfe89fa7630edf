import { findUsageProblems, llmCallEventSchema, validateEventBatch } from '@ai-cost-profiler/core'
import { describe, expect, it } from 'vitest'
import { generateDemoEvents } from './generate-demo-events.ts'

const NOW_MS = Date.parse('2026-11-22T12:00:00.000Z')
const generate = (eventCount: number, seedValue = 7, days = 30) => [
  ...generateDemoEvents({ eventCount, days, nowMs: NOW_MS, seedValue }),
]

describe('generateDemoEvents', () => {
  const events = generate(20_000)

  it('yields events that ingest validation accepts unchanged', () => {
    const { valid, errors } = validateEventBatch(events, { nowMs: NOW_MS })
    expect(errors).toEqual([])
    expect(valid).toHaveLength(events.length)
    for (const event of events.slice(0, 500)) expect(llmCallEventSchema.parse(event)).toEqual(event)
    expect(events.flatMap((event) => findUsageProblems(event.usage))).toEqual([])
  })

  it('is deterministic per seed value, with keys that depend only on the seed value and the position', () => {
    const again = generate(3_000)
    expect(again).toEqual(generate(3_000))
    expect(again.map((event) => event.idempotencyKey)).toEqual(
      events.slice(0, 3_000).map((event) => event.idempotencyKey),
    )
    expect(new Set(events.map((event) => event.idempotencyKey)).size).toBe(events.length)
    expect(generate(3_000, 8).map((event) => event.idempotencyKey)).not.toContain(events[0]?.idempotencyKey)
  })

  it('arrives in time order within the hour, as live traffic does', () => {
    let latestMs = 0
    let outOfOrder = 0
    for (const event of events) {
      const timeMs = Date.parse(event.timestamp)
      if (timeMs < latestMs - 2 * 3_600_000) outOfOrder++
      latestMs = Math.max(latestMs, timeMs)
    }
    // Only the tail of a long conversation may outrun the hours that follow it.
    expect(outOfOrder / events.length).toBeLessThan(0.005)
    const keys = events.map((event) => event.idempotencyKey ?? '')
    expect([...keys].sort()).toEqual(keys)
  })

  it('spreads events over the window with a daily and weekly rhythm', () => {
    const times = events.map((event) => Date.parse(event.timestamp))
    expect(Math.min(...times)).toBeGreaterThanOrEqual(NOW_MS - 30 * 86_400_000)
    expect(Math.max(...times)).toBeLessThan(NOW_MS)
    const byHour = new Array<number>(24).fill(0)
    const byWeekday = new Array<number>(7).fill(0)
    for (const timeMs of times) {
      byHour[new Date(timeMs).getUTCHours()]!++
      byWeekday[new Date(timeMs).getUTCDay()]!++
    }
    expect(byHour[10]!).toBeGreaterThan(byHour[3]! * 4)
    expect(byWeekday[3]!).toBeGreaterThan(byWeekday[0]! * 1.5)
  })

  it('covers providers, features, conversations, failures, caching, reasoning, streaming and tiers', () => {
    const share = (predicate: (event: (typeof events)[number]) => boolean) =>
      events.filter(predicate).length / events.length
    expect(new Set(events.map((event) => event.provider))).toEqual(new Set(['openai', 'anthropic', 'google']))
    expect(new Set(events.map((event) => event.model)).size).toBeGreaterThanOrEqual(15)
    expect(new Set(events.map((event) => event.feature)).size).toBe(7)
    expect(new Set(events.map((event) => event.userId)).size).toBeGreaterThan(200)

    const messagesPerConversation = new Map<string, number>()
    for (const event of events) {
      if (event.conversationId)
        messagesPerConversation.set(
          event.conversationId,
          (messagesPerConversation.get(event.conversationId) ?? 0) + 1,
        )
    }
    expect(messagesPerConversation.size).toBeGreaterThan(500)
    expect(Math.max(...messagesPerConversation.values())).toBeGreaterThanOrEqual(6)

    const errors = events.filter((event) => event.status === 'error')
    expect(errors.length / events.length).toBeGreaterThan(0.01)
    expect(errors.length / events.length).toBeLessThan(0.1)
    expect(new Set(errors.map((event) => event.error?.type))).toEqual(
      new Set([
        'rate_limit',
        'overloaded',
        'context_length',
        'server_error',
        'timeout',
        'invalid_request',
        'connection',
      ]),
    )
    expect(errors.find((event) => event.error?.httpStatus === 529)?.provider).toBe('anthropic')
    expect(errors.every((event) => event.usage.inputTokens === 0 && event.usage.outputTokens === 0)).toBe(
      true,
    )
    expect(share((event) => event.status === 'incomplete')).toBeGreaterThan(0)
    expect(share((event) => event.status !== 'error' && event.retryCount > 0)).toBeGreaterThan(0.01)

    expect(share((event) => (event.usage.cacheReadInputTokens ?? 0) > 0)).toBeGreaterThan(0.2)
    expect(
      events.some((event) => event.provider === 'anthropic' && (event.usage.cacheWriteInputTokens ?? 0) > 0),
    ).toBe(true)
    expect(
      events.some(
        (event) => event.provider === 'anthropic' && (event.usage.cacheWrite1hInputTokens ?? 0) > 0,
      ),
    ).toBe(true)
    expect(
      events.some((event) => event.provider !== 'anthropic' && (event.usage.cacheWriteInputTokens ?? 0) > 0),
    ).toBe(false)
    const reasoning = events.filter((event) => (event.usage.reasoningTokens ?? 0) > 0)
    expect(new Set(reasoning.map((event) => event.provider))).toEqual(new Set(['openai', 'google']))
    expect(events.some((event) => event.usage.inputTokens > 200_000)).toBe(true)

    const streamed = events.filter((event) => event.streaming && event.status === 'success')
    expect(streamed.length / events.length).toBeGreaterThan(0.5)
    expect(
      streamed.every(
        (event) =>
          event.timeToFirstTokenMs !== undefined && event.timeToFirstTokenMs <= (event.latencyMs ?? 0),
      ),
    ).toBe(true)

    expect(share((event) => event.serviceTier === 'standard')).toBeGreaterThan(0.85)
    for (const tier of ['batch', 'flex', 'priority'] as const)
      expect(share((event) => event.serviceTier === tier)).toBeGreaterThan(0.005)
    expect(events.some((event) => event.serviceTier === 'batch' && event.streaming)).toBe(false)
    expect(share((event) => event.promptHash !== undefined)).toBeGreaterThan(0.05)
    expect(share((event) => event.traceId !== undefined && event.spanId !== undefined)).toBeGreaterThan(0.05)
  })
})
