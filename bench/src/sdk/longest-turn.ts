/**
 * Runs `work` and returns the longest time, in ms, the event loop went without reaching its check
 * phase while it ran: a chain of `setImmediate` callbacks records the gap between each one and the
 * next, starting from the moment `work` is called. Finer than `monitorEventLoopDelay` (whose 1 ms
 * timer cannot show a 0.3 ms stretch), and meant for a process that runs nothing but `work`.
 */
export async function longestTurnDuring(work: () => Promise<unknown>): Promise<number> {
  let longest = 0
  let last = performance.now()
  let watching = true
  const tick = () => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
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
      longest = Math.max(longest, performance.now() - last)
      resolve()
    }),
  )
  return longest
}
