import { describe, expect, it } from 'vitest'
import { CircuitBreaker, CircuitOpenError } from './circuit-breaker.ts'

const fail = () => Promise.reject(new Error('down'))
const always = () => true

describe('CircuitBreaker', () => {
  it('opens after the threshold, fails fast while open, and closes after a good trial', async () => {
    let nowMs = 0
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1_000, now: () => nowMs })
    for (let attempt = 0; attempt < 3; attempt++)
      await expect(breaker.run(fail, always)).rejects.toThrow('down')
    expect(breaker.state).toBe('open')
    let called = false
    await expect(
      breaker.run(async () => {
        called = true
      }, always),
    ).rejects.toBeInstanceOf(CircuitOpenError)
    expect(called).toBe(false)

    nowMs = 1_000
    expect(breaker.state).toBe('half-open')
    await expect(breaker.run(async () => 'ok', always)).resolves.toBe('ok')
    expect(breaker.state).toBe('closed')
  })

  it('reopens when the trial fails, and ignores errors that do not count', async () => {
    let nowMs = 0
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 500, now: () => nowMs })
    await expect(breaker.run(fail, () => false)).rejects.toThrow('down')
    expect(breaker.state).toBe('closed')
    await expect(breaker.run(fail, always)).rejects.toThrow('down')
    nowMs = 500
    await expect(breaker.run(fail, always)).rejects.toThrow('down')
    expect(breaker.state).toBe('open')
    const error = await breaker.run(fail, always).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(CircuitOpenError)
    expect((error as CircuitOpenError).retryAfterMs).toBe(500)
  })
})
