import { afterEach, describe, expect, it, vi } from 'vitest'
import { ProfilerError } from '../profiler-error.ts'
import { createErrorReporter } from './error-reporter.ts'

const nextTimerTurn = () => new Promise((resolve) => setTimeout(resolve, 10))

afterEach(() => {
  vi.restoreAllMocks()
})

describe('createErrorReporter', () => {
  it('keeps an async onError that rejects from reaching the host, and logs it for debugging', async () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {})
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const handlerBug = new Error('handler bug')
      const reporter = createErrorReporter({
        debug: true,
        onError: async () => {
          throw handlerBug
        },
      })
      expect(() => reporter.report(new ProfilerError('INTERNAL_ERROR', 'boom'))).not.toThrow()
      await nextTimerTurn()
      expect(unhandled).toEqual([])
      expect(debug).toHaveBeenCalledWith(expect.stringContaining('onError rejected'), handlerBug)
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('catches a thenable that rejects, and one whose then() throws', async () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {})
    const rejecting = {
      // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a promise is the case tested
      then: (_resolve: unknown, reject: (reason: unknown) => void) => reject('refused'),
    }
    const throwing = {
      // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a promise is the case tested
      then: () => {
        throw new Error('then() threw')
      },
    }
    for (const returned of [rejecting, throwing]) {
      const reporter = createErrorReporter({ debug: true, onError: () => returned as never })
      expect(() => reporter.report(new ProfilerError('INTERNAL_ERROR', 'boom'))).not.toThrow()
    }
    await nextTimerTurn()
    const rejections = debug.mock.calls.filter(([message]) => String(message).includes('onError rejected'))
    expect(rejections.map(([, reason]) => reason)).toEqual(['refused', new Error('then() threw')])
  })
})
