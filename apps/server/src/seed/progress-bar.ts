/** Where a progress bar draws: a terminal (redrawn in place) or a log/pipe (one line per step). */
export interface ProgressStream {
  write(text: string): unknown
  isTTY?: boolean
}

/** Options for `createProgressBar`. */
export interface ProgressBarOptions {
  total: number
  stream: ProgressStream
  /** First word of the line, e.g. "Seeded". */
  label: string
  /** What is counted, e.g. "events". */
  unit: string
  /** Clock, so tests are deterministic. Default `performance.now`. */
  nowMs?: () => number
  /** Width of the bar in characters. Default 20. */
  widthChars?: number
}

/** A running progress bar. */
export interface ProgressBar {
  /** Reports how many units are done so far. */
  update(done: number): void
  /** Draws the final state and ends the line. */
  finish(): void
}

// A terminal redraw costs a write syscall; 10 per second is smooth enough and free.
const TTY_REDRAW_INTERVAL_MS = 100
const PIPE_STEP_PERCENT = 10

function formatRate(perSecond: number): string {
  if (perSecond >= 10_000) return `${Math.round(perSecond / 1_000)}k/s`
  if (perSecond >= 1_000) return `${(perSecond / 1_000).toFixed(1)}k/s`
  return `${Math.round(perSecond)}/s`
}

/**
 * A one-line progress bar: "Seeded 120000/1000000 events [##..................] 12% 35k/s". Redrawn in place
 * with `\r` on a terminal; on a pipe or log file, one line per 10% so logs stay short.
 * @example
 * const bar = createProgressBar({ total: 1000, stream: process.stderr, label: 'Seeded', unit: 'events' })
 * bar.update(500)
 * bar.finish()
 */
export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const nowMs = options.nowMs ?? (() => performance.now())
  const widthChars = options.widthChars ?? 20
  const total = Math.max(0, options.total)
  const startedAtMs = nowMs()
  let done = 0
  let lastDrawAtMs = Number.NEGATIVE_INFINITY
  let lastStepPercent = -1
  let finished = false

  const render = (): string => {
    const fraction = total === 0 ? 1 : Math.min(1, done / total)
    const filled = Math.round(fraction * widthChars)
    const elapsedSeconds = Math.max((nowMs() - startedAtMs) / 1_000, 1e-3)
    const bar = `${'#'.repeat(filled)}${'.'.repeat(widthChars - filled)}`
    return `${options.label} ${done}/${total} ${options.unit} [${bar}] ${Math.floor(fraction * 100)}% ${formatRate(done / elapsedSeconds)}`
  }

  return {
    update(value) {
      if (finished) return
      done = Math.min(Math.max(0, value), total)
      if (options.stream.isTTY) {
        const atMs = nowMs()
        if (atMs - lastDrawAtMs < TTY_REDRAW_INTERVAL_MS) return
        lastDrawAtMs = atMs
        options.stream.write(`\r${render()}`)
        return
      }
      const percent = total === 0 ? 100 : Math.floor((done / total) * 100)
      const stepPercent = percent - (percent % PIPE_STEP_PERCENT)
      // 100% is left to finish(), which always prints the final line once.
      if (stepPercent > lastStepPercent && stepPercent < 100) {
        lastStepPercent = stepPercent
        options.stream.write(`${render()}\n`)
      }
    },
    finish() {
      if (finished) return
      finished = true
      options.stream.write(options.stream.isTTY ? `\r${render()}\n` : `${render()}\n`)
    },
  }
}
