/** A message handler; its failures are the bus's to contain. */
export type MessageHandler = (message: string) => void

/**
 * Fan-out between server processes: cache invalidation today, live updates later. In-process when
 * there is one server; Redis pub/sub (`REDIS_URL`) when there are several.
 */
export interface MessageBus {
  publish(channel: string, message: string): Promise<void>
  /** Subscribes; returns the function that unsubscribes. */
  subscribe(channel: string, handler: MessageHandler): Promise<() => void>
  close(): Promise<void>
}

/** Channel on which a revoked key's hash is announced, so every process drops it from its cache. */
export const API_KEY_REVOKED_CHANNEL = 'acp:api-key-revoked'
