import { describe, expect, it } from 'vitest'
import type { CallTracker } from './call-tracker.ts'
import { OpenCalls } from './open-calls.ts'

const call = () => ({ sequence: 0 }) as CallTracker

describe('OpenCalls', () => {
  it('counts each call under way at a mark once, and knows the calls it counted', () => {
    const calls = new OpenCalls()
    const [ended, open, later, after] = [call(), call(), call(), call()]
    calls.started(ended)
    calls.started(open)
    calls.ended(ended)
    expect(calls.markDropped()).toBe(1)
    expect(calls.countedAsDropped(open)).toBe(true)
    // A second mark counts only what started since.
    calls.started(later)
    expect(calls.markDropped()).toBe(1)
    expect(calls.markDropped()).toBe(0)
    // A call counted at a mark that ends after it is still known as counted; one started after is not.
    calls.ended(open)
    calls.started(after)
    expect(calls.countedAsDropped(open)).toBe(true)
    expect(calls.countedAsDropped(after)).toBe(false)
    calls.ended(after)
    calls.ended(later)
    expect(calls.markDropped()).toBe(0)
  })

  it('waits for the calls under way, up to a deadline', async () => {
    const calls = new OpenCalls()
    const pending = call()
    calls.started(pending)
    let waited = false
    const wait = calls.noneUnderWayBy(Date.now() + 60_000).then(() => {
      waited = true
    })
    await Promise.resolve()
    expect(waited).toBe(false)
    calls.ended(pending)
    await wait
    expect(waited).toBe(true)
    // A call that never ends (a stream never read) holds the wait only up to its deadline.
    calls.started(call())
    await calls.noneUnderWayBy(Date.now() + 10)
  })
})
