import { describe, expect, it } from 'vitest'
import { GroupCommitter } from './group-committer.ts'

describe('GroupCommitter', () => {
  it('shares one write among concurrent submissions and splits the result back', async () => {
    const writes: number[][] = []
    const committer = new GroupCommitter<number>({
      delayMs: 5,
      write: async (rows) => {
        writes.push(rows)
        return rows.map((row) => row % 2 === 0)
      },
    })
    const results = await Promise.all([
      committer.submit([1, 2]),
      committer.submit([3]),
      committer.submit([4, 5, 6]),
    ])
    expect(writes).toEqual([[1, 2, 3, 4, 5, 6]])
    expect(results).toEqual([[false, true], [false], [true, false, true]])
  })

  it('writes at once when a group is full, and keeps groups within maxRows', async () => {
    const writes: number[][] = []
    const committer = new GroupCommitter<number>({
      delayMs: 10_000,
      maxRows: 3,
      write: async (rows) => {
        writes.push(rows)
        return rows.map(() => true)
      },
    })
    await Promise.all([committer.submit([1, 2]), committer.submit([3, 4])])
    expect(writes.map((rows) => rows.length).every((length) => length <= 3)).toBe(true)
    expect(writes.flat()).toEqual([1, 2, 3, 4])
  })

  it('rejects every submission of a failed group and goes on with the next', async () => {
    let fail = true
    const committer = new GroupCommitter<number>({
      delayMs: 1,
      write: async (rows) => {
        if (fail) throw new Error('database down')
        return rows.map(() => true)
      },
    })
    const failed = await Promise.allSettled([committer.submit([1]), committer.submit([2])])
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected'])
    fail = false
    await expect(committer.submit([3])).resolves.toEqual([true])
    await committer.drain()
  })

  it('writes a failed group again one submission at a time when asked, so only the bad one fails', async () => {
    const committer = new GroupCommitter<number>({
      delayMs: 5,
      isolateFailure: () => true,
      write: async (rows) => {
        if (rows.includes(13)) throw new Error('constraint violated')
        return rows.map(() => true)
      },
    })
    const results = await Promise.allSettled([
      committer.submit([1]),
      committer.submit([13]),
      committer.submit([2, 3]),
    ])
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
  })

  it('while a group is being written, lets the next one grow to minRowsWhileBusy or wait its delay out', async () => {
    const writes: number[][] = []
    let finishFirst: () => void = () => {}
    const committer = new GroupCommitter<number>({
      delayMs: 1,
      maxConcurrentWrites: 2,
      minRowsWhileBusy: 4,
      maxDelayWhileBusyMs: 200,
      write: async (rows) => {
        writes.push(rows)
        if (writes.length === 1) await new Promise<void>((resolve) => (finishFirst = resolve))
        return rows.map(() => true)
      },
    })
    const first = committer.submit([1])
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(writes).toEqual([[1]])
    // A second slot is free, but one row alone waits while the first group is in flight…
    const second = committer.submit([2])
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(writes).toEqual([[1]])
    // …until enough rows have gathered.
    const third = committer.submit([3, 4, 5])
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(writes).toEqual([[1], [2, 3, 4, 5]])
    // A lone submission goes after maxDelayWhileBusyMs even while the first group is still in flight.
    const startedMs = performance.now()
    await committer.submit([6])
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(150)
    expect(writes).toEqual([[1], [2, 3, 4, 5], [6]])
    finishFirst()
    await Promise.all([first, second, third])
  })

  it('writes a small group at once when nothing else is in flight', async () => {
    const writes: number[][] = []
    const committer = new GroupCommitter<number>({
      delayMs: 1,
      maxConcurrentWrites: 2,
      minRowsWhileBusy: 1_000,
      maxDelayWhileBusyMs: 10_000,
      write: async (rows) => {
        writes.push(rows)
        return rows.map(() => true)
      },
    })
    await expect(committer.submit([1])).resolves.toEqual([true])
    await expect(committer.submit([2])).resolves.toEqual([true])
    expect(writes).toEqual([[1], [2]])
  })
})
