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

  it("prints a benchmark's options for --help, without running it", async () => {
    const output = vi.spyOn(console, 'log').mockImplementation(() => {})
    expect(await runBench(['ingest', '--help'])).toBe(0)
    const text = String(output.mock.calls[0]?.[0])
    expect(text).toContain('Usage: npm run bench -- ingest [options]')
    expect(text).toMatch(/--clients N +concurrent HTTP clients \(32\)/)
    expect(await runBench(['sdk', '-h'])).toBe(0)
    expect(String(output.mock.calls[1]?.[0])).toMatch(/--compression gzip\|none/)
  })

  it('reports an unknown or invalid option with the usage and exit code 2, before any work starts', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    expect(await runBench(['sdk', '--nope'])).toBe(2)
    expect(String(errors.mock.calls[0]?.[0])).toMatch(
      /Unknown option '--nope'[\s\S]*Usage: npm run bench -- sdk/,
    )
    expect(await runBench(['sdk', '--calls', 'many'])).toBe(2)
    expect(String(errors.mock.calls[1]?.[0])).toContain('--calls takes a positive whole number; got "many"')
    expect(await runBench(['ingest', '--database', 'mysql'])).toBe(2)
    expect(String(errors.mock.calls[2]?.[0])).toContain('--database takes postgres or pglite; got "mysql"')
    expect(await runBench(['rollups', '--delay-ms=-5'])).toBe(2)
    expect(String(errors.mock.calls[3]?.[0])).toContain('--delay-ms takes a whole number of milliseconds')
    expect(await runBench(['seed', '--sizes', '10,x'])).toBe(2)
    expect(String(errors.mock.calls[4]?.[0])).toContain(
      '--sizes takes comma-separated positive whole numbers',
    )
  })
})
