import { describe, expect, it } from 'vitest'
import { measureClockLoopStalls } from './clock-loop-stalls.ts'
import { openLoopThreadSchedule } from './thread-schedule.ts'

describe('openLoopThreadSchedule', () => {
  it.runIf(process.platform === 'linux')('reads counts that only grow', async () => {
    const schedule = openLoopThreadSchedule()
    expect(schedule).toBeDefined()
    const before = schedule!.read()
    // Sleeping gives the thread up; it comes back to a core at least once.
    await new Promise((resolve) => setTimeout(resolve, 20))
    const after = schedule!.read()
    schedule!.close()
    expect(after.slices).toBeGreaterThan(before.slices)
    expect(after.waitNs).toBeGreaterThanOrEqual(before.waitNs)
  })
})

describe('measureClockLoopStalls', () => {
  it('runs for the time asked beside a spinning process, and reports its gaps consistently', async () => {
    const pinned: number[] = []
    const stalls = await measureClockLoopStalls(50, (pid) => pinned.push(pid))
    // The spinning process was started and handed over to be placed.
    expect(pinned).toHaveLength(1)
    expect(() => process.kill(pinned[0]!, 0)).toThrow()
    expect(stalls.seconds).toBeGreaterThanOrEqual(0.05)
    expect(stalls.over1Ms).toBeGreaterThanOrEqual(0)
    expect(stalls.maxMs).toBeGreaterThan(0)
    if (stalls.over1Ms > 0) expect(stalls.maxMs).toBeGreaterThan(1)
    // The rate comes from the unrounded duration; `seconds` is rounded to the ms.
    expect(stalls.over1MsPerSecond).toBeGreaterThanOrEqual(stalls.over1Ms / (stalls.seconds + 0.0005) - 0.001)
    expect(stalls.over1MsPerSecond).toBeLessThanOrEqual(stalls.over1Ms / (stalls.seconds - 0.0005) + 0.001)
  })
})
