import { randomUUID } from 'node:crypto'

/**
 * A key for a call sent with none of its own (explicit or derived). Made once, when the row is built,
 * so a write tried again after its connection was lost (it may have committed) carries the same key and
 * cannot store the call twice.
 */
export function newServerIdempotencyKey(): string {
  return `server-${randomUUID()}`
}
