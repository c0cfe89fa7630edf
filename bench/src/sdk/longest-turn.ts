/** One turn of the event loop as the watcher saw it: from one check phase to the next, in `performance.now()` ms. */
export interface LoopTurn {
  startMs: number
  endMs: number
  /**
   * CPU time of the whole process within the turn (`process.cpuUsage`): all its threads, so at least
   * the time the loop's thread ran, and less than the turn's length when the OS kept it off a core.
   */
  cpuMs: number
}

/**
 * Runs `work` and returns the turns of the event loop while it ran: a chain of `setImmediate`
 * callbacks records the gap between each one and the next, starting from the moment `work` is
 * called. Finer than `monitorEventLoopDelay` (whose 1 ms timer cannot show a 0.3 ms stretch), and
 * meant for a process that runs nothing but `work`.
 */
export async function turnsDuring(work: () => Promise<unknown>): Promise<LoopTurn[]> {
  const turns: LoopTurn[] = []
  let last = performance.now()
  let lastCpu = process.cpuUsage()
  let watching = true
  const record = () => {
    const now = performance.now()
    const cpu = process.cpuUsage()
    turns.push({
      startMs: last,
      endMs: now,
      cpuMs: (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000,
    })
    last = now
    lastCpu = cpu
  }
  const tick = () => {
    record()
    if (watching) setImmediate(tick)
  }
  setImmediate(tick)
  try {
    await work()
  } finally {
    watching = false
  }
  // One more turn, so the stretch that settled `work` is counted too.
  await new Promise<void>((resolve) =>
    setImmediate(() => {
      record()
      resolve()
    }),
  )
  return turns
}

/** Ms within [startMs, endMs] that the process was stopped for (the collector's pauses, say). */
export type PausedMs = (startMs: number, endMs: number) => number

/**
 * The longest of `turns`, in ms, after taking out of each the time `pausedMs` says the process was
 * stopped within it; without `pausedMs`, the longest turn as it was.
 */
export function longestTurnMs(turns: readonly LoopTurn[], pausedMs: PausedMs = () => 0): number {
  let longest = 0
  for (const { startMs, endMs } of turns)
    longest = Math.max(longest, endMs - startMs - pausedMs(startMs, endMs))
  return longest
}

/**
 * The most the loop's thread can have run in any one of `turns`, pauses taken out: a turn's length
 * or the process's CPU time in it, whichever is less (the CPU time counts every thread, the length
 * counts time spent waiting for a core), less the pauses. An upper bound: the work of the code on the
 * loop itself can only have been shorter.
 */
export function longestRunningMs(turns: readonly LoopTurn[], pausedMs: PausedMs = () => 0): number {
  let longest = 0
  for (const { startMs, endMs, cpuMs } of turns) {
    longest = Math.max(longest, Math.min(endMs - startMs, cpuMs) - pausedMs(startMs, endMs))
  }
  return longest
}
