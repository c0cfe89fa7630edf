import { Redis } from 'ioredis'
import type { MessageBus, MessageHandler } from './message-bus.ts'

/** Redis could not be reached at start-up; the message names the server, never its password. */
export class RedisUnavailableError extends Error {
  constructor(url: string, cause: unknown) {
    let server = 'the server REDIS_URL names'
    try {
      const parsed = new URL(url)
      server = `${parsed.hostname || 'localhost'}:${parsed.port || '6379'}`
    } catch {
      // keep the generic name
    }
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(`cannot connect to Redis at ${server} (${reason})`, { cause })
    this.name = 'RedisUnavailableError'
  }
}

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
  // A refused connection rejects connect() with "Connection is closed."; the socket's own error says why.
  // Until both clients are connected, an error is only kept for that one message: the caller reports it.
  let socketError: Error | undefined
  let connected = false
  const onClientError = (error: Error) => {
    socketError ??= error
    if (connected) onError(error)
  }
  publisher.on('error', onClientError)
  subscriber.on('error', onClientError)
  try {
    await Promise.all([publisher.connect(), subscriber.connect()])
    connected = true
  } catch (error) {
    // Left alone, the clients would go on reconnecting and keep the process alive.
    publisher.disconnect()
    subscriber.disconnect()
    throw new RedisUnavailableError(url, socketError ?? error)
  }
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
