import { afterEach, describe, expect, it } from 'vitest'
import { closedPort } from '../testing/closed-port.ts'
import { createInProcessMessageBus } from './in-process-message-bus.ts'
import type { MessageBus } from './message-bus.ts'
import { createRedisMessageBus, RedisUnavailableError } from './redis-message-bus.ts'

/** Redis used by the tests; never skipped: without it these tests fail. */
const TEST_REDIS_URL = process.env.ACP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

async function received(bus: MessageBus, channel: string): Promise<string> {
  return new Promise((resolve) => {
    void bus.subscribe(channel, resolve)
  })
}

describe('message buses', () => {
  const buses: MessageBus[] = []
  afterEach(async () => {
    for (const bus of buses.splice(0)) await bus.close()
  })

  it('fans a message out between two Redis connections (two processes)', async () => {
    const a = await createRedisMessageBus(TEST_REDIS_URL)
    const b = await createRedisMessageBus(TEST_REDIS_URL)
    buses.push(a, b)
    const channel = `acp:test:${process.pid}:${Date.now()}`
    const arrival = received(b, channel)
    await new Promise((resolve) => setTimeout(resolve, 50))
    await a.publish(channel, 'hello')
    expect(await arrival).toBe('hello')
  })

  it('reports a Redis it cannot reach once, by the error it throws, not also to onError', async () => {
    const heard: Error[] = []
    const port = await closedPort()
    const failure = await createRedisMessageBus(`redis://127.0.0.1:${port}`, (error) =>
      heard.push(error),
    ).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(RedisUnavailableError)
    expect((failure as Error).message).toMatch(/ECONNREFUSED/)
    expect(heard).toEqual([])
  })

  it('delivers in-process, and stops after unsubscribe', async () => {
    const bus = createInProcessMessageBus()
    buses.push(bus)
    const seen: string[] = []
    const unsubscribe = await bus.subscribe('c', (message) => seen.push(message))
    await bus.publish('c', 'one')
    unsubscribe()
    await bus.publish('c', 'two')
    expect(seen).toEqual(['one'])
  })
})
