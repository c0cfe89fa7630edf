import type { CallTracker } from './call-tracker.ts'

/**
 * The calls under way (started, not yet finished), so `shutdown()` can wait for them: they were sent to
 * the provider, so they are billed, and their events should not be lost by closing first. Those that
 * can no longer be recorded are counted as dropped once each (`markDropped`).
 */
export class OpenCalls {
  private readonly open = new Set<CallTracker>()
  private readonly waiters = new Set<() => void>()

  started(call: CallTracker): void {
    this.open.add(call)
  }

  /**
   * Marks the calls under way not marked yet as counted as dropped (their events, if they end after
   * all, are not counted again), and returns how many it marked.
   */
  markDropped(): number {
    let marked = 0
    for (const call of this.open) {
      if (call.countedAsDropped) continue
      call.countedAsDropped = true
      marked++
    }
    return marked
  }

  ended(call: CallTracker): void {
    if (this.open.delete(call) && this.open.size === 0) for (const wake of this.waiters) wake()
  }

  /**
   * Resolves once no call is under way, or at `deadline` (epoch ms), whichever comes first: a call
   * whose stream is never read never ends, so the wait is bounded. The timer holds the process while
   * shutdown() waits.
   */
  noneUnderWayBy(deadline: number): Promise<void> {
    if (this.open.size === 0) return Promise.resolve()
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
