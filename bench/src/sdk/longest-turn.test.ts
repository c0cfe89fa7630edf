import { describe, expect, it } from 'vitest'
import { watchGcPauses } from './gc-pauses.ts'
import { longestRunningMs, longestTurnMs, longTurns, turnsDuring, watchedMs } from './longest-turn.ts'

function busyFor(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // hold the loop, as a long synchronous stretch of work would
  }
}

describe('turnsDuring', () => {
  it('sees a synchronous stretch of the work as one long turn, and the turns join up', async () => {
    const turns = await turnsDuring(async () => {
      await new Promise((resolve) => setImmediate(resolve))
      busyFor(5)
      await new Promise((resolve) => setImmediate(resolve))
    })
    expect(longestTurnMs(turns)).toBeGreaterThanOrEqual(5)
    expect(longestRunningMs(turns)).toBeLessThanOrEqual(longestTurnMs(turns))
    expect(watchedMs(turns)).toBeGreaterThanOrEqual(5)
    if (process.platform === 'linux') {
      // The kernel tells how long the thread waited for a core in each turn, and how often it came back to one.
      for (const { waitMs, switches } of turns) {
        expect(waitMs).toBeGreaterThanOrEqual(0)
        expect(switches).toBeGreaterThanOrEqual(0)
      }
    }
    for (let index = 1; index < turns.length; index++) {
      expect(turns[index]!.startMs).toBe(turns[index - 1]!.endMs)
    }
  })
})

// A 2.5 ms pause from 0.7 to 3.2 ms.
const paused = (startMs: number, endMs: number) => Math.max(0, Math.min(endMs, 3.2) - Math.max(startMs, 0.7))

describe('longestTurnMs', () => {
  const turns = [
    { startMs: 0, endMs: 0.4, waitMs: null, switches: null },
    { startMs: 0.4, endMs: 3.4, waitMs: null, switches: null },
    { startMs: 3.4, endMs: 4, waitMs: null, switches: null },
  ]

  it('is the longest turn when nothing is taken out', () => {
    expect(longestTurnMs(turns)).toBeCloseTo(3, 9)
  })

  it('takes the paused time out of each turn before choosing the longest', () => {
    // The pause leaves the second turn 0.5 ms: the third (0.6 ms) is then the longest.
    expect(longestTurnMs(turns, paused)).toBeCloseTo(0.6, 9)
  })
})

describe('longestRunningMs and longTurns', () => {
  const turns = [
    { startMs: 0, endMs: 0.4, waitMs: 0, switches: 0 },
    // 1.8 ms long, of which the thread waited 1.5 ms for a core: it ran 0.3 ms at most.
    { startMs: 0.4, endMs: 2.2, waitMs: 1.5, switches: 1 },
    // 1.7 ms long with no wait: it may have run all of it.
    { startMs: 2.2, endMs: 3.9, waitMs: 0, switches: 0 },
    // Where the kernel does not say, the whole turn counts.
    { startMs: 3.9, endMs: 5.1, waitMs: null, switches: null },
  ]

  it('takes the waits for a core out of each turn', () => {
    expect(longestRunningMs(turns)).toBeCloseTo(1.7, 9)
  })

  it('takes the pauses out as well', () => {
    // The pause (0.7 to 3.2 ms) covers 1 ms of the third turn: the fourth (1.2 ms) is then the longest.
    expect(longestRunningMs(turns, paused)).toBeCloseTo(1.2, 9)
  })

  it('describes the turns that can have run over the threshold, and only those', () => {
    expect(longTurns(turns, 1, paused)).toEqual([
      { lengthMs: 1.2, gcMs: 0, waitMs: null, switches: null, runningMs: 1.2 },
    ])
    expect(longTurns(turns, 1).map(({ lengthMs }) => lengthMs)).toEqual([1.7, 1.2])
    expect(longTurns(turns, 1)[0]).toEqual({ lengthMs: 1.7, gcMs: 0, waitMs: 0, switches: 0, runningMs: 1.7 })
  })

  it('measures the watched time from the first start to the last end', () => {
    expect(watchedMs(turns)).toBeCloseTo(5.1, 9)
    expect(watchedMs([])).toBe(0)
  })
})

describe('watchGcPauses', () => {
  it('places each pause it reports on the performance timeline', async () => {
    const watcher = watchGcPauses()
    const startMs = performance.now()
    // A forced collection is not available without --expose-gc: allocate until the collector runs.
    let keep: unknown[] = []
    for (let round = 0; round < 50; round++) keep = Array.from({ length: 20_000 }, (_, index) => ({ index }))
    await new Promise((resolve) => setImmediate(resolve))
    const endMs = performance.now()
    const seen = watcher.stop()
    expect(keep.length).toBe(20_000)
    expect(seen.pauses).toBeGreaterThan(0)
    const paused = watcher.pausedMsBetween(startMs, endMs)
    expect(paused).toBeGreaterThan(0)
    expect(paused).toBeLessThanOrEqual(endMs - startMs)
    expect(watcher.pausedMsBetween(endMs + 1_000, endMs + 2_000)).toBe(0)
  })
})
