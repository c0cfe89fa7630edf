import { randomUUID } from 'node:crypto'

// No derived key can take this shape: those always hold two colons (`conversationId:messageId:epochMs`).
const SERVER_KEY = /^server-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * A key for a call sent with none of its own (explicit or derived). Made once, when the row is built,
 * so a write tried again after its connection was lost (it may have committed) carries the same key and
 * cannot store the call twice.
 */
export function newServerIdempotencyKey(): string {
  return `server-${randomUUID()}`
}

/** True for a key `newServerIdempotencyKey` makes. */
export function isServerIdempotencyKey(key: string): boolean {
  return SERVER_KEY.test(key)
}
