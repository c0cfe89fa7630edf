import type { CallTracker } from './call-tracker.ts'

/**
 * The calls under way (started, not yet finished), so `shutdown()` can wait for them: they were sent to
 * the provider, so they are billed, and their events should not be lost by closing first. Those that
 * can no longer be recorded are counted as dropped once each (`markDropped`).
 *
 * Calls are numbered as they start; nothing holds them (a call never consumed, e.g. a stream never
 * read, never ends, and must not stay in memory). A mark covers every call started by then: one that
 * ends after it was under way at the mark, so it was counted then.
 */
export class OpenCalls {
  private underWay = 0
  private lastStarted = 0
  /** Every call numbered up to this one that was under way at the last mark was counted as dropped. */
  private markedThrough = 0
  /** Calls under way started after the last mark: the next mark counts them. */
  private underWaySinceMark = 0
  private readonly waiters = new Set<() => void>()

  started(call: CallTracker): void {
    call.sequence = ++this.lastStarted
    this.underWay++
    this.underWaySinceMark++
  }

  ended(call: CallTracker): void {
    if (call.sequence > this.markedThrough) this.underWaySinceMark--
    if (--this.underWay === 0) for (const wake of this.waiters) wake()
  }

  /** True when the call was under way at a mark, so counted as dropped already. */
  countedAsDropped(call: CallTracker): boolean {
    return call.sequence <= this.markedThrough
  }

  /**
   * Counts the calls under way not counted yet as dropped (their events, if they end after all, are not
   * counted again), and returns how many.
   */
  markDropped(): number {
    const marked = this.underWaySinceMark
    this.markedThrough = this.lastStarted
    this.underWaySinceMark = 0
    return marked
  }

  /**
   * Resolves once no call is under way, or at `deadline` (epoch ms), whichever comes first: a call
   * whose stream is never read never ends, so the wait is bounded. The timer holds the process while
   * shutdown() waits.
   */
  noneUnderWayBy(deadline: number): Promise<void> {
    if (this.underWay === 0) return Promise.resolve()
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
