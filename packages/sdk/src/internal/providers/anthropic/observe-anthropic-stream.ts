import { type AnthropicUsagePayload, normalizeAnthropicUsage } from '@ai-cost-profiler/core'
import type { CallTracker } from '../../call-tracker.ts'
import type { IterationObserver } from '../../observe-async-iterator.ts'
import { asFields, readString } from '../read-fields.ts'
import { mapAnthropicServiceTier } from './map-anthropic-service-tier.ts'

/**
 * Watches a Messages stream. Input usage comes from `message_start`; each `message_delta` carries
 * cumulative counts, so its fields overwrite (never add to) what is known. `speed` and `service_tier`
 * are read the same way: the latest value that is not null, from `message_start` or a `message_delta`.
 */
export function observeAnthropicStream(
  tracker: CallTracker,
  isAborted: () => boolean,
): IterationObserver<unknown> {
  let model: string | undefined
  // This stream's own object, changed in place: nothing else holds it (copying it per key was slow).
  const usage: Record<string, unknown> = {}
  let sawUsage = false
  let stopped = false
  const outcome = () => ({
    model,
    usage: sawUsage ? normalizeAnthropicUsage(usage as AnthropicUsagePayload) : undefined,
    serviceTier: mapAnthropicServiceTier(usage),
  })
  const mergeUsage = (next: unknown) => {
    const fields = asFields(next)
    if (!fields) return
    sawUsage = true
    for (const [key, value] of Object.entries(fields)) {
      // A null in a delta means "not reported here", not zero.
      if (value === null || value === undefined) continue
      // A `__proto__` key from the wire stays a field; assigning it would set the object's prototype.
      if (key === '__proto__')
        Object.defineProperty(usage, key, { value, writable: true, enumerable: true, configurable: true })
      else usage[key] = value
    }
  }
  return {
    onItem(event) {
      const fields = asFields(event)
      switch (fields?.type) {
        case 'message_start': {
          const message = asFields(fields.message)
          model = readString(message?.model) ?? model
          mergeUsage(message?.usage)
          break
        }
        case 'content_block_delta':
          tracker.markFirstToken()
          break
        case 'message_delta':
          mergeUsage(fields.usage)
          if (readString(asFields(fields.delta)?.stop_reason)) stopped = true
          break
        case 'message_stop':
          stopped = true
          // Recorded at once: `messages.stream()` aborts its request after its caller left and may never
          // read the end of the stream.
          tracker.finish({ status: 'success', ...outcome() })
          break
      }
      return false
    },
    onDone() {
      if (stopped) tracker.finish({ status: 'success', ...outcome() })
      else {
        const callError = isAborted() ? ({ type: 'aborted' } as const) : undefined
        tracker.finish({ status: 'incomplete', ...outcome(), callError })
      }
    },
    onError(error) {
      tracker.finish({
        status: stopped ? 'success' : 'incomplete',
        ...outcome(),
        error: stopped ? undefined : error,
      })
    },
    onCancel() {
      if (stopped) tracker.finish({ status: 'success', ...outcome() })
      else tracker.finish({ status: 'incomplete', ...outcome(), callError: { type: 'aborted' } })
    },
  }
}
