/** What the process's `exit` event asks of a transport: synchronous, as nothing can be sent any more. */
export interface DropsAtExit {
  /** Counts what the transport still holds as dropped; returns what reports it. */
  dropAtExit(): () => void
}

// Held weakly: a profiler dropped without shutdown() can be collected (one with events still pending
// is kept alive by the timer or request that will send them, and is reported).
const targets = new Set<WeakRef<DropsAtExit>>()
const forget = new FinalizationRegistry<WeakRef<DropsAtExit>>((target) => unregister(target))
let listening = false

// Nothing can be done about a failure now; an exception thrown here would replace the host's exit code.
function runQuietly<Result>(fn: () => Result): Result | undefined {
  try {
    return fn()
  } catch {
    return undefined
  }
}

function onExit(): void {
  // Every profiler counts its losses first: a report's handler may call process.exit(), which ends
  // the process at once, before the other profilers could count theirs.
  const reports = [...targets].map((target) => runQuietly(() => target.deref()?.dropAtExit()))
  for (const report of reports) if (report) runQuietly(report)
}

function unregister(target: WeakRef<DropsAtExit>): void {
  targets.delete(target)
  if (targets.size === 0 && listening) {
    listening = false
    process.off('exit', onExit)
  }
}

/**
 * Registers a transport to be told on `exit` (one process listener for every profiler, as
 * `registerExitFlush` does). `exit` comes after `process.exit()` or an uncaught exception, when
 * `beforeExit` never ran and no more I/O can happen: what is still queued then is lost, and is counted
 * and reported instead of vanishing. Returns the function that unregisters it.
 */
export function registerExitDropReport(transport: DropsAtExit): () => void {
  const target = new WeakRef(transport)
  targets.add(target)
  forget.register(transport, target, target)
  if (!listening) {
    listening = true
    process.on('exit', onExit)
  }
  return () => {
    forget.unregister(target)
    unregister(target)
  }
}
