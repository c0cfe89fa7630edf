import type { LlmCallEventInput } from '@ai-cost-profiler/core'

/**
 * An event that is queued as a compact record and built when it is first sent, so the work of
 * building it (and of formatting its timestamp) is done off the caller's path, in the batch.
 */
export abstract class DeferredEvent {
  /** The event to send; called once, when the event leaves the queue for the first time. */
  abstract toEvent(): LlmCallEventInput
}
