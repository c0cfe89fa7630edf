import { constants } from 'node:os'

// npm passes on the signal it gets, and Ctrl-C in a terminal reaches npm and the command alike (see
// `serve`): a repeat this soon after the first signal is that same stop, not a second Ctrl-C.
const SAME_STOP_WINDOW_MS = 1_000

/**
 * Runs `work` with a signal that the first SIGINT or SIGTERM aborts (its reason: "interrupted by SIGINT"),
 * so a job command stops between its steps as a server shutdown stops it: the day or chunk in progress is
 * recorded, the job's lease released, and the command says how far it got, instead of dying with the lease
 * held for a minute. A second signal (Ctrl-C again) ends the process at once, with exit code 128 + the
 * signal's number.
 * @example
 * await withStopSignal((stop) => runCliJob({ jobs, name: 'retention', params: {}, stop }))
 */
export async function withStopSignal<T>(work: (stop: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  let firstSignalAtMs: number | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    const nowMs = performance.now()
    if (firstSignalAtMs === undefined) {
      firstSignalAtMs = nowMs
      // A progress bar on a terminal is redrawn in place: the notice goes on a line of its own.
      process.stderr.write(
        `${process.stderr.isTTY ? '\n' : ''}${signal}: stopping after the step in progress and releasing the job's lease; ${signal === 'SIGINT' ? 'press Ctrl-C' : `send ${signal}`} again to quit at once.\n`,
      )
      controller.abort(new Error(`interrupted by ${signal}`))
      return
    }
    if (nowMs - firstSignalAtMs < SAME_STOP_WINDOW_MS) return
    process.stderr.write(
      `Error: quit at once on a second ${signal}; the job's lease lapses within 60 s, then run the same command again to resume.\n`,
    )
    process.exit(128 + constants.signals[signal])
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    return await work(controller.signal)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
