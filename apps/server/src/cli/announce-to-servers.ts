import { openMessageBus } from '../messaging/open-message-bus.ts'
import { RedisUnavailableError } from '../messaging/redis-message-bus.ts'

/**
 * Tells the servers sharing `redisUrl` of a change a command made (a revoked key, an edited price), on
 * `channel`; returns why it could not, if it could not. The change is made either way: servers not told
 * see it once their cache time is up.
 */
export async function announceToServers(
  redisUrl: string,
  channel: string,
  message: string,
): Promise<string | undefined> {
  let bus: Awaited<ReturnType<typeof openMessageBus>>
  try {
    bus = await openMessageBus(redisUrl)
  } catch (error) {
    if (error instanceof RedisUnavailableError) return error.message
    throw error
  }
  try {
    await bus.publish(channel, message)
    return undefined
  } catch (error) {
    return `Redis did not take the message (${(error as Error).message})`
  } finally {
    await bus.close()
  }
}
