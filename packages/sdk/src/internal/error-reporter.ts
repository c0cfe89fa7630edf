import { ProfilerError } from '../profiler-error.ts'

/** Sends the profiler's own problems to `onError` and the debug log, and never throws. */
export interface ErrorReporter {
  report(error: ProfilerError): void
  /** Wraps an unexpected exception of the profiler's own code as `INTERNAL_ERROR` and reports it. */
  reportInternal(what: string, cause: unknown): void
  /** Reports a provider result the profiler does not recognise (the call itself is left untouched). */
  reportUnexpected(what: string): void
  debug(message: string, details?: unknown): void
}

/** Options of `createErrorReporter`. */
export interface ErrorReporterOptions {
  debug: boolean
  onError: ((error: ProfilerError) => void) | undefined
}

const PREFIX = '[ai-cost-profiler]'

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/** Creates the reporter one profiler uses for everything that goes wrong inside it. */
export function createErrorReporter(options: ErrorReporterOptions): ErrorReporter {
  const debug = (message: string, details?: unknown) => {
    if (!options.debug) return
    if (details === undefined) console.debug(`${PREFIX} ${message}`)
    else console.debug(`${PREFIX} ${message}`, details)
  }
  const report = (error: ProfilerError) => {
    debug(`${error.code}: ${error.message}`)
    if (!options.onError) return
    try {
      // Typed as returning void, yet an async handler returns a promise: its rejection would be
      // unhandled, which ends a Node.js process by default.
      const returned: unknown = options.onError(error)
      if (isThenable(returned)) {
        Promise.resolve(returned).catch((rejection: unknown) => debug('onError rejected', rejection))
      }
    } catch (handlerError) {
      // A throwing handler must not turn the profiler's problem into the caller's.
      debug('onError threw', handlerError)
    }
  }
  return {
    report,
    reportInternal(what, cause) {
      const reason = cause instanceof Error ? cause.message : String(cause)
      report(new ProfilerError('INTERNAL_ERROR', `${what}: ${reason}`, { cause }))
    },
    reportUnexpected(what) {
      report(new ProfilerError('UNEXPECTED_RESPONSE', `${what}; the call was not recorded`))
    },
    debug,
  }
}
