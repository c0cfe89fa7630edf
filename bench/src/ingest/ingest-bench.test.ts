import { afterEach, describe, expect, it, vi } from 'vitest'
import { ingestBench } from './ingest-bench.ts'

describe('ingestBench', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it.each(['pglite', 'postgres'])(
    'measures a small run on %s end to end and prints JSON',
    async (database) => {
      const output = vi.spyOn(console, 'log').mockImplementation(() => {})
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
      const code = await ingestBench([
        '--database',
        database,
        '--events',
        '2000',
        '--warmup',
        '500',
        '--runs',
        '2',
        '--clients',
        '4',
      ])
      expect(code).toBe(0)
      const report = JSON.parse(String(output.mock.calls[0]?.[0]))
      expect(report).toMatchObject({ benchmark: 'ingest', database, events: 2000, clients: 4, runs: 2 })
      expect(report.perRun.map((run: { order: string }) => run.order)).toEqual(['http→raw', 'raw→http'])
      const median = report.median as Record<string, number | null>
      for (const name of [
        'httpEventsPerSecond',
        'rawEventsPerSecond',
        'ratio',
        'p50LatencyMs',
        'p99LatencyMs',
        'serverPeakRssMiB',
      ]) {
        expect(median[name]).toBeGreaterThan(0)
      }
      if (database === 'postgres') expect(median.httpDatabaseCpuMicrosPerEvent).toBeGreaterThan(0)
      const byOrder = report.median.ratioByOrder as Record<string, number>
      expect(Object.keys(byOrder).sort()).toEqual(['http→raw', 'raw→http'])
      for (const run of report.perRun as Array<{ order: string; ratio: number }>)
        expect(byOrder[run.order]).toBe(run.ratio)
    },
    120_000,
  )
})
