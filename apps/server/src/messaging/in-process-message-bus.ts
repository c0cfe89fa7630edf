import { EventEmitter } from 'node:events'
import type { MessageBus, MessageHandler } from './message-bus.ts'

/** A bus for a single server process. */
export function createInProcessMessageBus(): MessageBus {
  const emitter = new EventEmitter()
  emitter.setMaxListeners(0)
  return {
    async publish(channel, message) {
      emitter.emit(channel, message)
    },
    async subscribe(channel, handler: MessageHandler) {
      emitter.on(channel, handler)
      return () => emitter.off(channel, handler)
    },
    async close() {
      emitter.removeAllListeners()
    },
  }
}
