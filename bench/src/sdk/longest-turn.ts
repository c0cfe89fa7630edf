/** One turn of the event loop as the watcher saw it: from one check phase to the next, in `performance.now()` ms. */
export interface LoopTurn {
  startMs: number
  endMs: number
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
  let watching = true
  const tick = () => {
    const now = performance.now()
    turns.push({ startMs: last, endMs: now })
    last = now
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
      turns.push({ startMs: last, endMs: performance.now() })
      resolve()
    }),
  )
  return turns
}

/**
 * The longest of `turns`, in ms, after taking out of each the time `pausedMs` says the process was
 * stopped within it (the collector's pauses, say); without `pausedMs`, the longest turn as it was.
 */
export function longestTurnMs(
  turns: readonly LoopTurn[],
  pausedMs: (startMs: number, endMs: number) => number = () => 0,
): number {
  let longest = 0
  for (const { startMs, endMs } of turns)
    longest = Math.max(longest, endMs - startMs - pausedMs(startMs, endMs))
  return longest
}
