import { type CallError, normalizeOpenAiUsage, type OpenAiUsagePayload } from '@ai-cost-profiler/core'
import type { CallTracker } from '../../call-tracker.ts'
import type { IterationObserver } from '../../observe-async-iterator.ts'
import { asFields, readString } from '../read-fields.ts'
import { mapOpenAiServiceTier } from './map-openai-service-tier.ts'
import { readOpenAiErrorBody } from './read-openai-error-body.ts'

const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed'])

/**
 * Watches a Responses API stream: the model from `response.created`, the first `*.delta`, and usage
 * from the terminal `response.completed` / `response.incomplete` / `response.failed` event.
 */
export function observeOpenAiResponsesStream(
  tracker: CallTracker,
  isAborted: () => boolean,
): IterationObserver<unknown> {
  let model: string | undefined
  let usage: OpenAiUsagePayload | undefined
  let serviceTier: unknown
  let terminal: string | undefined
  let failure: CallError | undefined
  const outcome = () => ({
    model,
    usage: usage ? normalizeOpenAiUsage(usage) : undefined,
    serviceTier: mapOpenAiServiceTier(serviceTier),
  })
  const finishTerminal = () => {
    if (terminal === 'response.failed') tracker.finish({ status: 'error', ...outcome(), callError: failure })
    else tracker.finish({ status: 'success', ...outcome() })
  }
  return {
    onItem(event) {
      const fields = asFields(event)
      const type = readString(fields?.type)
      if (!fields || !type) return false
      const response = asFields(fields.response)
      if (response) {
        model = readString(response.model) ?? model
        serviceTier = response.service_tier ?? serviceTier
        const responseUsage = asFields(response.usage)
        if (responseUsage) usage = responseUsage as OpenAiUsagePayload
      }
      if (type.endsWith('.delta')) tracker.markFirstToken()
      if (TERMINAL_EVENTS.has(type)) {
        terminal = type
        if (type === 'response.failed') failure = readOpenAiErrorBody(response) ?? { type: 'unknown' }
        // Recorded at once: a helper that aborts its request after its caller left may never read on.
        finishTerminal()
      } else if (type === 'error') {
        // Read as an error body is: a gateway's numeric `code` is the HTTP status.
        failure = readOpenAiErrorBody({ error: { code: fields.code, message: fields.message } })
      }
      return false
    },
    onDone() {
      if (terminal) finishTerminal()
      else if (failure) tracker.finish({ status: 'incomplete', ...outcome(), callError: failure })
      else {
        const aborted = isAborted()
        tracker.finish({
          status: 'incomplete',
          ...outcome(),
          callError: aborted ? { type: 'aborted' } : undefined,
        })
      }
    },
    onError(error) {
      tracker.finish({ status: 'incomplete', ...outcome(), error })
    },
    onCancel() {
      if (terminal) finishTerminal()
      else tracker.finish({ status: 'incomplete', ...outcome(), callError: { type: 'aborted' } })
    },
  }
}
