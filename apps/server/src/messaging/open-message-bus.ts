import { createInProcessMessageBus } from './in-process-message-bus.ts'
import type { MessageBus } from './message-bus.ts'
import { createRedisMessageBus } from './redis-message-bus.ts'

/** Redis pub/sub when `redisUrl` is set, otherwise the in-process bus. */
export function openMessageBus(
  redisUrl: string | undefined,
  onError?: (error: Error) => void,
): Promise<MessageBus> {
  return redisUrl ? createRedisMessageBus(redisUrl, onError) : Promise.resolve(createInProcessMessageBus())
}
