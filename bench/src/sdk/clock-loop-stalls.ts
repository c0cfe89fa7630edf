import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { roundFigure } from './round-figure.ts'
import { openLoopThreadSchedule } from './thread-schedule.ts'

/** What a loop that does nothing but read the clock saw: the machine's own stalls of the loop thread. */
export interface ClockLoopStalls {
  seconds: number
  /** Gaps between two clock reads over 1 ms, less the time the thread waited for a core within them. */
  over1Ms: number
  /** The longest such gap, in ms. */
  maxMs: number
  /** `over1Ms` per second, to compare with the long turns of other work watched for another length of time. */
  over1MsPerSecond: number
}

/**
 * Holds the event-loop thread for `durationMs` in a loop that only reads the clock (and the thread's
 * kernel schedule, about 3 µs a round), and reports every gap between two reads that the waits for a
 * core do not explain. Such code has no stretch of work of its own longer than a few µs, so any gap
 * over 1 ms is the machine's: its virtual CPU held by the host, or the kernel busy on that core. It
 * is the floor under any "longest turn" measured on the same machine in the same way.
 */
function clockLoop(durationMs: number): ClockLoopStalls {
  const schedule = openLoopThreadSchedule()
  let over1Ms = 0
  let maxMs = 0
  const startMs = performance.now()
  let last = startMs
  let lastWaitNs = schedule?.read().waitNs ?? 0
  try {
    for (;;) {
      const now = performance.now()
      const waitNs = schedule?.read().waitNs ?? 0
      const stalledMs = now - last - (waitNs - lastWaitNs) / 1e6
      if (stalledMs > 1) over1Ms++
      maxMs = Math.max(maxMs, stalledMs)
      last = now
      lastWaitNs = waitNs
      if (now - startMs >= durationMs) break
    }
  } finally {
    schedule?.close()
  }
  const seconds = (last - startMs) / 1000
  return {
    seconds: roundFigure(seconds),
    over1Ms,
    maxMs: roundFigure(maxMs),
    over1MsPerSecond: roundFigure(over1Ms / seconds),
  }
}

/**
 * Runs the clock-reading loop for `durationMs` while another process spins on the other cores
 * (`pinOther(pid)` moves its threads there; without it the OS places them): the benchmark keeps
 * every core busy between flushes, and on this kind of machine the stalls come mostly when every
 * core is busy.
 */
export async function measureClockLoopStalls(
  durationMs: number,
  pinOther: (pid: number) => void = () => {},
): Promise<ClockLoopStalls> {
  const spinner = spawn(
    process.execPath,
    [
      '-e',
      `console.log('spinning'); const end = Date.now() + ${durationMs + 2_000}; while (Date.now() < end) {}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const exited = once(spinner, 'exit')
  try {
    await Promise.race([
      once(spinner.stdout, 'data'),
      exited.then(() => {
        throw new Error('the spinning process beside the clock loop ended before it started')
      }),
    ])
    if (spinner.pid !== undefined) pinOther(spinner.pid)
    return clockLoop(durationMs)
  } finally {
    spinner.kill()
    await exited
  }
}
