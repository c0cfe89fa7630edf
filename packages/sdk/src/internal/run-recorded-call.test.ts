import type { LlmCallEventInput } from '@ai-cost-profiler/core'
import { describe, expect, it, vi } from 'vitest'
import { createErrorReporter } from './error-reporter.ts'
import { runRecordedCall } from './run-recorded-call.ts'
import { createWrapSession } from './wrap-session.ts'

function session() {
  const events: LlmCallEventInput[] = []
  const onError = vi.fn()
  const wrapSession = createWrapSession({
    reporter: createErrorReporter({ debug: false, onError }),
    providerOverride: undefined,
    resolveContext: (context) => context ?? {},
    onFinish: (call) => events.push(call.toEvent()),
    runInCallContext: (_context, fn) => fn(),
  })
  return { events, onError, wrapSession }
}

const client = {}
const plan = (args: unknown[]) => ({ provider: 'openai', requestedModel: 'm', streaming: false, args })

describe('runRecordedCall', () => {
  it('calls the original untouched when preparing the call fails', () => {
    const { wrapSession, onError, events } = session()
    const original = vi.fn((value: unknown) => value)
    const args = [{ acp: { userId: 'u' }, model: 'm' }]
    const result = runRecordedCall({
      session: wrapSession,
      original,
      target: client,
      args,
      plan: () => {
        throw new Error('plan bug')
      },
      observe: (value) => value,
    })
    expect(result).toBe(args[0])
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'INTERNAL_ERROR' })
    expect(events).toEqual([])
  })

  it('records a synchronous throw of the original as a bad request, and rethrows it', () => {
    const { wrapSession, events } = session()
    const failure = new TypeError('bad params')
    expect(() =>
      runRecordedCall({
        session: wrapSession,
        original: () => {
          throw failure
        },
        target: client,
        args: [{ model: 'm' }],
        plan,
        observe: (value) => value,
      }),
    ).toThrow(failure)
    expect(events).toMatchObject([
      { status: 'error', model: 'm', error: { type: 'invalid_request', message: 'bad params' } },
    ])
  })

  it('returns the original result when observing it fails', () => {
    const { wrapSession, onError } = session()
    const result = runRecordedCall({
      session: wrapSession,
      original: () => 'result',
      target: client,
      args: [],
      plan,
      observe: () => {
        throw new Error('observe bug')
      },
    })
    expect(result).toBe('result')
    expect(onError).toHaveBeenCalledTimes(1)
  })
})
