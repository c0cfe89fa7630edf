import type { LlmCallEventInput } from '@ai-cost-profiler/core'
import { describe, expect, it } from 'vitest'
import type { CallTracker } from '../../call-tracker.ts'
import { createErrorReporter } from '../../error-reporter.ts'
import { createWrapSession } from '../../wrap-session.ts'
import { observeAnthropicStream } from './observe-anthropic-stream.ts'

/** A tracker whose one event is read back, and the observer of its stream. */
function observed(isAborted = () => false) {
  const finished: CallTracker[] = []
  const session = createWrapSession({
    reporter: createErrorReporter({ debug: false, onError: undefined }),
    providerOverride: undefined,
    resolveContext: () => ({}),
    onFinish: (call) => finished.push(call),
    runInCallContext: (_context, fn) => fn(),
  })
  const tracker = session.startCall(
    { provider: 'anthropic', requestedModel: 'm', streaming: true },
    undefined,
  )
  return {
    observer: observeAnthropicStream(tracker, isAborted),
    event: (): LlmCallEventInput | undefined => finished[0]?.toEvent(),
  }
}

describe('observeAnthropicStream', () => {
  it('keeps a __proto__ usage key a field, skips events that are not objects, and takes nulls as unreported', () => {
    const { observer, event } = observed()
    observer.onItem('ping')
    observer.onItem({
      type: 'message_start',
      message: { model: 'claude-x', usage: JSON.parse('{"input_tokens":100,"__proto__":{"polluted":true}}') },
    })
    observer.onItem({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn' },
      usage: { output_tokens: 7, input_tokens: null },
    })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    // The answer was whole: a failure of the transport after it does not make the call incomplete.
    observer.onError(new Error('socket hang up'))
    expect(event()).toMatchObject({
      status: 'success',
      model: 'claude-x',
      usage: { inputTokens: 100, outputTokens: 7 },
    })
  })

  it('records a stream that ends before its end as incomplete, aborted when its request was, with no usage unseen', () => {
    const aborted = observed(() => true)
    aborted.observer.onItem({ type: 'message_start', message: { model: 'claude-x' } })
    aborted.observer.onDone()
    expect(aborted.event()).toMatchObject({
      status: 'incomplete',
      error: { type: 'aborted' },
      usage: { inputTokens: 0, outputTokens: 0 },
    })

    const failed = observed()
    failed.observer.onItem({ type: 'message_start', message: { usage: { input_tokens: 5 } } })
    failed.observer.onError(new Error('socket hang up'))
    expect(failed.event()).toMatchObject({ status: 'incomplete', usage: { inputTokens: 5 } })
  })
})
