/** Counts and reports what a transport still holds; runs in the process's `exit` event, so synchronous. */
export type ExitDropReport = () => void

const reports = new Set<ExitDropReport>()
let listening = false

function onExit(): void {
  for (const report of reports) {
    try {
      report()
    } catch {
      // Nothing can be done about it now; an exception thrown here would replace the host's exit code.
    }
  }
}

/**
 * Registers a report to run on `exit` (one process listener for every profiler, as `registerExitFlush`
 * does). `exit` comes after `process.exit()` or an uncaught exception, when `beforeExit` never ran and
 * no more I/O can happen: what is still queued then is lost, and is counted and reported here instead
 * of vanishing. Returns the function that unregisters it.
 */
export function registerExitDropReport(report: ExitDropReport): () => void {
  reports.add(report)
  if (!listening) {
    listening = true
    process.on('exit', onExit)
  }
  return () => {
    reports.delete(report)
    if (reports.size === 0 && listening) {
      listening = false
      process.off('exit', onExit)
    }
  }
}
