/**
 * Counts the calls under way (started, not yet finished), so `shutdown()` can wait for them: they were
 * sent to the provider, so they are billed, and their events should not be lost by closing first.
 */
export class OpenCalls {
  private count = 0
  private readonly waiters = new Set<() => void>()

  /** How many calls are under way now. */
  get underWay(): number {
    return this.count
  }

  started(): void {
    this.count++
  }

  ended(): void {
    this.count--
    if (this.count === 0) for (const wake of this.waiters) wake()
  }

  /**
   * Resolves once no call is under way, or at `deadline` (epoch ms), whichever comes first: a call
   * whose stream is never read never ends, so the wait is bounded. The timer holds the process while
   * shutdown() waits.
   */
  noneUnderWayBy(deadline: number): Promise<void> {
    if (this.count <= 0) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.waiters.delete(done)
        resolve()
      }
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()))
      this.waiters.add(done)
    })
  }
}
