import { afterEach, describe, expect, it, vi } from 'vitest'
import { sdkBench } from './sdk-bench.ts'

describe('sdkBench', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('prints one JSON document with paired timings, event-loop delay and delivery', async () => {
    const output = vi.spyOn(console, 'log').mockImplementation(() => {})
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    expect(await sdkBench(['--calls', '20', '--chunks', '10'])).toBe(0)
    const result = JSON.parse(String(output.mock.calls[0]?.[0]))
    expect(result).toMatchObject({ benchmark: 'sdk', calls: 20, streamChunks: 10 })
    for (const mode of [result.nonStreaming, result.streaming]) {
      expect(mode.bareMs.p50).toBeGreaterThan(0)
      expect(mode.wrappedMs.p99).toBeGreaterThanOrEqual(mode.wrappedMs.p50)
      expect(mode.addedMs.p50).toBeCloseTo(mode.wrappedMs.p50 - mode.bareMs.p50, 3)
    }
    expect(result.eventLoopDelayMs.wrapped.max).toBeGreaterThan(0)
    // 20 warm-up and 20 measured wrapped calls of each kind, plus 20 in the event-loop run: all delivered.
    expect(result.delivery).toMatchObject({ sent: 100, dropped: 0 })
    expect(result.delivery.ingestRequests).toBeGreaterThan(0)
  })

  it('refuses a bad option value', async () => {
    await expect(sdkBench(['--calls', 'many'])).rejects.toThrow('--calls takes a positive whole number')
  })
})
