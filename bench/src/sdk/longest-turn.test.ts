import { describe, expect, it } from 'vitest'
import { watchGcPauses } from './gc-pauses.ts'
import { longestRunningMs, longestTurnMs, turnsDuring } from './longest-turn.ts'

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
    // The busy stretch ran on a core: most of it shows as the process's CPU time too.
    expect(longestRunningMs(turns)).toBeGreaterThan(2.5)
    for (let index = 1; index < turns.length; index++) {
      expect(turns[index]!.startMs).toBe(turns[index - 1]!.endMs)
    }
  })
})

// A 2.5 ms pause from 0.7 to 3.2 ms.
const paused = (startMs: number, endMs: number) => Math.max(0, Math.min(endMs, 3.2) - Math.max(startMs, 0.7))

describe('longestTurnMs', () => {
  const turns = [
    { startMs: 0, endMs: 0.4, cpuMs: 0.4 },
    { startMs: 0.4, endMs: 3.4, cpuMs: 3.2 },
    { startMs: 3.4, endMs: 4, cpuMs: 0.1 },
  ]

  it('is the longest turn when nothing is taken out', () => {
    expect(longestTurnMs(turns)).toBeCloseTo(3, 9)
  })

  it('takes the paused time out of each turn before choosing the longest', () => {
    // The pause leaves the second turn 0.5 ms: the third (0.6 ms) is then the longest.
    expect(longestTurnMs(turns, paused)).toBeCloseTo(0.6, 9)
  })
})

describe('longestRunningMs', () => {
  const turns = [
    { startMs: 0, endMs: 0.4, cpuMs: 0.35 },
    // 1.8 ms long but 0.3 ms of CPU: the process waited for a core most of the turn.
    { startMs: 0.4, endMs: 2.2, cpuMs: 0.3 },
    // 0.5 ms long with 1.4 ms of CPU: other threads ran too; the loop's thread ran 0.5 ms at most.
    { startMs: 2.2, endMs: 2.7, cpuMs: 1.4 },
  ]

  it('bounds each turn by its length and by the CPU time in it', () => {
    expect(longestRunningMs(turns)).toBeCloseTo(0.5, 9)
  })

  it('takes the pauses out of that bound', () => {
    // The pause covers 1.5 ms of the second turn and all of the third: the first is then the longest.
    expect(longestRunningMs(turns, paused)).toBeCloseTo(0.35, 9)
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
