import type { ErrorReporter } from './error-reporter.ts'

/**
 * Runs one step of the profiler's own work on a call (recording an outcome, reading a response) and
 * reports its failure as `INTERNAL_ERROR` instead of throwing it: such steps run inside the caller's
 * promise chains and stream reads, where a throw would reach the caller or reject unhandled.
 */
export function runSafely(reporter: ErrorReporter, what: string, action: () => void): void {
  try {
    action()
  } catch (error) {
    reporter.reportInternal(what, error)
  }
}
