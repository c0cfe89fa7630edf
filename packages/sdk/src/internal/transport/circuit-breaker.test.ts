import { describe, expect, it } from 'vitest'
import { CircuitBreaker } from './circuit-breaker.ts'

describe('CircuitBreaker', () => {
  it('opens after the threshold, half-opens after the cool-down, and closes on success', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000 })
    expect(breaker.recordFailure(0)).toBe(false)
    expect(breaker.recordFailure(10)).toBe(false)
    expect(breaker.recordFailure(20)).toBe(true)
    expect(breaker.state).toBe('open')
    expect(breaker.blockedUntilMs(500)).toBe(1020)
    expect(breaker.blockedUntilMs(1020)).toBe(0)
    expect(breaker.state).toBe('half-open')
    breaker.recordSuccess()
    expect(breaker.state).toBe('closed')
    expect(breaker.blockedUntilMs(1030)).toBe(0)
  })

  it('re-opens when the probe fails', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 100 })
    breaker.recordFailure(0)
    expect(breaker.blockedUntilMs(100)).toBe(0)
    expect(breaker.recordFailure(150)).toBe(true)
    expect(breaker.blockedUntilMs(200)).toBe(250)
  })

  it('resets the failure count on success', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 100 })
    breaker.recordFailure(0)
    breaker.recordSuccess()
    expect(breaker.recordFailure(1)).toBe(false)
    expect(breaker.state).toBe('closed')
  })
})
