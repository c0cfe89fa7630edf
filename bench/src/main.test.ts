import { afterEach, describe, expect, it, vi } from 'vitest'
import { runBench } from './main.ts'

describe('runBench', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('lists the benchmarks and refuses an unknown one with exit code 2', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const output = vi.spyOn(console, 'log').mockImplementation(() => {})
    expect(await runBench(['help'])).toBe(0)
    expect(String(output.mock.calls[0]?.[0])).toMatch(/ingest .*\n.*seed .*\n.*sdk .*\n.*rollups /)
    expect(await runBench(['nope'])).toBe(2)
    expect(String(errors.mock.calls[0]?.[0])).toContain('Unknown benchmark "nope"')
    expect(await runBench([])).toBe(2)
  })
})
