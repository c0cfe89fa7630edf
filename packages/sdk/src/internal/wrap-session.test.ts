import { describe, expect, it } from 'vitest'
import type { CallTracker } from './call-tracker.ts'
import { createErrorReporter } from './error-reporter.ts'
import { createWrapSession } from './wrap-session.ts'

describe('createWrapSession', () => {
  it('records each call once, with no scoped context, waits or counts unless they are given', async () => {
    const finished: CallTracker[] = []
    const session = createWrapSession({
      reporter: createErrorReporter({ debug: false, onError: undefined }),
      providerOverride: undefined,
      resolveContext: () => ({ feature: 'f' }),
      onFinish: (call) => finished.push(call),
      runInCallContext: (_context, fn) => fn(),
    })
    expect(session.records).toBe(true)
    expect(session.scopedContext()).toBeUndefined()
    // Nothing waits for work handed over without a place to wait for it; it is still handled.
    session.trackFinishing(Promise.reject(new Error('ignored')).catch(() => undefined))
    const call = session.startCall({ provider: 'openai', requestedModel: 'm', streaming: false }, undefined)
    call.finish({ status: 'success' })
    call.finish({ status: 'error' })
    expect(finished).toEqual([call])
    expect(call.context).toEqual({ feature: 'f' })
  })

  it('tells the ledger of every start and end, a call it abandons included, and records only finished ones', () => {
    const seen: string[] = []
    const session = createWrapSession({
      reporter: createErrorReporter({ debug: false, onError: undefined }),
      providerOverride: 'gateway',
      resolveContext: () => ({}),
      onFinish: (call) => seen.push(`finished ${call.provider}`),
      onStart: () => seen.push('started'),
      onEnd: () => seen.push('ended'),
      runInCallContext: (_context, fn) => fn(),
    })
    session
      .startCall({ provider: 'openai', requestedModel: 'm', streaming: false }, undefined)
      .finish({ status: 'success' })
    const abandoned = session.startCall(
      { provider: 'openai', requestedModel: 'm', streaming: true },
      undefined,
    )
    abandoned.abandon()
    abandoned.finish({ status: 'success' })
    expect(seen).toEqual(['started', 'ended', 'finished gateway', 'started', 'ended'])
  })
})
