import { describe, expect, it } from 'vitest'
import { createProjectCache } from './project-cache.ts'

describe('createProjectCache', () => {
  it('serves the last value when a reload fails, but not when the schema is older than the server', async () => {
    let nowMs = 0
    let failure: unknown
    let loads = 0
    const cache = createProjectCache({
      ttlMs: 1_000,
      now: () => nowMs,
      load: async () => {
        loads++
        if (failure) throw failure
        return `value ${loads}`
      },
    })
    expect(await cache.get('p')).toBe('value 1')
    // A passing failure (the database did not answer): the last value read is still served.
    nowMs = 2_000
    failure = Object.assign(new Error('connection terminated'), { code: '57P01' })
    expect(await cache.get('p')).toBe('value 1')
    // A column the load reads is gone (a migration rolled back): the value read with it is not served.
    nowMs = 4_000
    failure = Object.assign(new Error('column "service_tiers" does not exist'), { code: '42703' })
    await expect(cache.get('p')).rejects.toMatchObject({ code: '42703' })
    await expect(cache.get('p')).rejects.toMatchObject({ code: '42703' })
    failure = undefined
    expect(await cache.get('p')).toBe('value 5')
  })
})
