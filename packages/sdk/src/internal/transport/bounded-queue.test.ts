import { describe, expect, it } from 'vitest'
import { BoundedQueue } from './bounded-queue.ts'

describe('BoundedQueue', () => {
  it('drops the oldest items beyond its capacity and says how many', () => {
    const queue = new BoundedQueue<number>(3)
    expect([1, 2, 3].map((item) => queue.push(item))).toEqual([0, 0, 0])
    expect(queue.push(4)).toBe(1)
    expect(queue.take(10)).toEqual([2, 3, 4])
    expect(queue.length).toBe(0)
  })

  it('puts a failed batch back at the front, shedding the oldest when full', () => {
    const queue = new BoundedQueue<number>(4)
    for (const item of [1, 2, 3, 4]) queue.push(item)
    const batch = queue.take(2)
    queue.push(5)
    queue.push(6)
    expect(queue.unshift(batch)).toBe(2)
    expect(queue.take(10)).toEqual([3, 4, 5, 6])
  })

  it('stays correct across many takes (compaction) and clear()', () => {
    const queue = new BoundedQueue<number>(10_000)
    for (let item = 0; item < 5000; item++) queue.push(item)
    let expected = 0
    while (queue.length > 10) {
      for (const item of queue.take(7)) expect(item).toBe(expected++)
    }
    const remaining = 5000 - expected
    expect(queue.length).toBe(remaining)
    expect(queue.clear()).toBe(remaining)
    expect(queue.take(1)).toEqual([])
  })
})
