import { describe, expect, it } from 'vitest'
import { watchGcPauses } from './gc-pauses.ts'
import { longestTurnMs, turnsDuring } from './longest-turn.ts'

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
    for (let index = 1; index < turns.length; index++)
      expect(turns[index]!.startMs).toBe(turns[index - 1]!.endMs)
  })
})

describe('longestTurnMs', () => {
  const turns = [
    { startMs: 0, endMs: 0.4 },
    { startMs: 0.4, endMs: 3.4 },
    { startMs: 3.4, endMs: 4 },
  ]

  it('is the longest turn when nothing is taken out', () => {
    expect(longestTurnMs(turns)).toBeCloseTo(3, 9)
  })

  it('takes the paused time out of each turn before choosing the longest', () => {
    // A 2.5 ms pause inside the second turn leaves it 0.5 ms: the third (0.6 ms) is then the longest.
    const paused = (startMs: number, endMs: number) =>
      Math.max(0, Math.min(endMs, 3.2) - Math.max(startMs, 0.7))
    expect(longestTurnMs(turns, paused)).toBeCloseTo(0.6, 9)
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
