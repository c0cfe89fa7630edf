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
})
