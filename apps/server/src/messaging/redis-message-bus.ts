import { Redis } from 'ioredis'
import type { MessageBus, MessageHandler } from './message-bus.ts'

/**
 * A bus over Redis pub/sub. A subscribed Redis connection can do nothing else, so publishing uses a
 * second one. Connection failures are retried by the client; messages sent while disconnected are
 * lost, which is acceptable for cache invalidation because caches also expire.
 */
export async function createRedisMessageBus(
  url: string,
  onError: (error: Error) => void = () => {},
): Promise<MessageBus> {
  const options = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true }
  const publisher = new Redis(url, options)
  const subscriber = new Redis(url, options)
  publisher.on('error', onError)
  subscriber.on('error', onError)
  await Promise.all([publisher.connect(), subscriber.connect()])
  const handlers = new Map<string, Set<MessageHandler>>()
  subscriber.on('message', (channel: string, message: string) => {
    for (const handler of handlers.get(channel) ?? []) handler(message)
  })
  return {
    async publish(channel, message) {
      await publisher.publish(channel, message)
    },
    async subscribe(channel, handler) {
      const existing = handlers.get(channel)
      const set = existing ?? new Set<MessageHandler>()
      set.add(handler)
      if (!existing) {
        handlers.set(channel, set)
        await subscriber.subscribe(channel)
      }
      return () => {
        set.delete(handler)
      }
    },
    async close() {
      handlers.clear()
      await Promise.allSettled([publisher.quit(), subscriber.quit()])
    },
  }
}
