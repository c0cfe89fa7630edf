import { execFileSync } from 'node:child_process'
import os from 'node:os'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SUBJECT_NAMES } from './bench-subject.ts'
import { sdkBench } from './sdk-bench.ts'

const CALLS = 20
const CHUNKS = 10
// 20 non-streaming and 20 streaming warm-up calls, 20 measured of each kind, 20 in each event-loop run
// (back to back, paced).
const INSTRUMENTED_CALLS = 7 * CALLS

function expectFinite(value: unknown): void {
  expect(typeof value).toBe('number')
  expect(Number.isFinite(value)).toBe(true)
}

describe('sdkBench', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('prints one JSON document with paired timings of the SDK and of each peer, each from its own process', async () => {
    const output = vi.spyOn(console, 'log').mockImplementation(() => {})
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    // none here: the default (gzip) is what `npm run bench -- sdk` runs.
    const args = ['--calls', String(CALLS), '--chunks', String(CHUNKS), '--compression', 'none']
    expect(await sdkBench(args)).toBe(0)
    expect(output).toHaveBeenCalledTimes(1)
    const result = JSON.parse(String(output.mock.calls[0]?.[0]))
    expect(result).toMatchObject({
      benchmark: 'sdk',
      calls: CALLS,
      streamChunks: CHUNKS,
      compression: 'none',
    })
    expect(result.subjects.aiCostProfiler.setup).toContain("compression: 'none'")
    expect(Object.keys(result.subjects)).toEqual([...SUBJECT_NAMES])

    for (const name of SUBJECT_NAMES) {
      const subject = result.subjects[name]
      expect(subject.package).toEqual(expect.any(String))
      for (const mode of [subject.nonStreaming, subject.streaming]) {
        for (const figures of [mode.bareMs, mode.instrumentedMs, mode.addedMs, mode.ratio]) {
          expectFinite(figures.p50)
          expectFinite(figures.p99)
        }
        expect(mode.bareMs.p50).toBeGreaterThan(0)
        expect(mode.instrumentedMs.p99).toBeGreaterThanOrEqual(mode.instrumentedMs.p50)
        expect(Math.abs(mode.addedMs.p50 - (mode.instrumentedMs.p50 - mode.bareMs.p50))).toBeLessThan(0.002)
      }
      const { streaming } = subject
      expectFinite(streaming.addedPerChunkUs.p50)
      expect(streaming.addedPerChunkUs.p50).toBeCloseTo((streaming.addedMs.p50 * 1000) / CHUNKS, 0)
      expect(streaming.marginalPerChunkUs.p50).toBeCloseTo(
        ((streaming.addedMs.p50 - subject.nonStreaming.addedMs.p50) * 1000) / CHUNKS,
        0,
      )
      expectFinite(subject.includeUsagePerChunkUs.p50)
      expect(result.summary.perChunkAddedUs[name].includeUsageP50).toBe(subject.includeUsagePerChunkUs.p50)
      const { backToBack, paced } = subject.eventLoopDelayMs
      expect(backToBack.calls).toBe(CALLS)
      expect(paced).toMatchObject({ calls: CALLS, resolutionMs: 1 })
      expect(paced.intervalMs).toBeGreaterThan(0)
      for (const histogram of [
        backToBack.bare,
        backToBack.instrumented,
        paced.idle,
        paced.bare,
        paced.instrumented,
      ]) {
        for (const figure of [histogram.p50, histogram.p99, histogram.max]) expectFinite(figure)
        expect(Number.isInteger(histogram.gc.pauses)).toBe(true)
        expect(histogram.gc.maxMs).toBeGreaterThanOrEqual(0)
        // A 1 ms timer cannot be seen to run much sooner than every 1 ms; the percentiles are ordered.
        expect(histogram.p50).toBeGreaterThan(0.5)
        expect(histogram.p99).toBeGreaterThanOrEqual(histogram.p50)
        expect(histogram.max).toBeGreaterThanOrEqual(histogram.p99)
      }
      const allocated = subject.allocatedPerStreamKiB
      expect(allocated.calls).toBe(CALLS)
      // A streamed call allocates at least its chunks' text, bare or not.
      expect(allocated.bare).toBeGreaterThan(0)
      expect(allocated.instrumented).toBeGreaterThan(0)
      expect(allocated.added).toBeCloseTo(allocated.instrumented - allocated.bare, 0)
      // The subject's flush ran inside the instrumented window and delivered what those calls recorded.
      expect(paced.instrumentedDelivered).toBeGreaterThanOrEqual(CALLS)
      // One record per instrumented call, none from the bare client: the subject was active, the baseline bare.
      expect(subject.instrumentedCalls).toBe(INSTRUMENTED_CALLS)
      expect(subject.records.count).toBe(INSTRUMENTED_CALLS)
    }
    expect(result.subjects.aiCostProfiler.records).toMatchObject({ unit: 'events', dropped: 0 })
    expect(result.subjects.aiCostProfiler.records.ingestRequests).toBeGreaterThan(0)
    const batchSend = result.subjects.aiCostProfiler.batchSendSyncMs
    expect(batchSend).toMatchObject({ batches: CALLS, batchSize: 100 })
    expect(batchSend.p50Ms).toBeGreaterThan(0)
    expect(batchSend.maxMs).toBeGreaterThanOrEqual(batchSend.p99Ms)
    expect(batchSend.over1Ms).toBeLessThanOrEqual(CALLS)
    // Taking the collector's pauses out can only shorten a turn.
    expect(batchSend.withoutGcPauses.maxMs).toBeGreaterThan(0)
    expect(batchSend.withoutGcPauses.maxMs).toBeLessThanOrEqual(batchSend.maxMs)
    expect(batchSend.withoutGcPauses.over1Ms).toBeLessThanOrEqual(batchSend.over1Ms)
    // The running bound is never above the turn's own length.
    expect(batchSend.running.maxMs).toBeLessThanOrEqual(batchSend.withoutGcPauses.maxMs)
    expect(batchSend.running.p50Ms).toBeGreaterThan(0)
    // Every flush whose running bound passed 1 ms is described, and the machine's own stalls are measured beside them.
    expect(batchSend.runningOver1Ms).toHaveLength(
      batchSend.runningOver1Ms.filter(({ runningMs }: { runningMs: number }) => runningMs > 1).length,
    )
    expect(batchSend.runningOver1Ms.length).toBeGreaterThanOrEqual(batchSend.running.over1Ms)
    for (const turn of batchSend.runningOver1Ms as Array<{ flush: number }>) {
      expect(turn.flush).toBeGreaterThanOrEqual(1)
      expect(turn.flush).toBeLessThanOrEqual(CALLS)
    }
    expect(batchSend.watchedSeconds).toBeGreaterThan(0)
    expect(batchSend.clockLoop.seconds).toBeGreaterThanOrEqual(0.2)
    expect(batchSend.clockLoop.over1Ms).toBeGreaterThanOrEqual(0)
    // Where threads can be pinned (Linux, 2 CPUs or more) the flushes are timed again with the loop
    // thread isolated, and every thread is put back on every CPU after.
    if (os.platform() === 'linux' && os.cpus().length >= 2) {
      expect(batchSend.loopThreadIsolated).toMatchObject({ withoutGcPauses: expect.any(Object) })
      expect(batchSend.loopThreadIsolated.running.maxMs).toBeLessThanOrEqual(
        batchSend.loopThreadIsolated.withoutGcPauses.maxMs,
      )
      expect(batchSend.loopThreadIsolated.clockLoop.seconds).toBeGreaterThanOrEqual(0.2)
      expect(execFileSync('taskset', ['-p', String(process.pid)]).toString()).toMatch(
        new RegExp(`mask: ${((1 << os.cpus().length) - 1).toString(16)}\\s*$`),
      )
    } else {
      expect(batchSend.loopThreadIsolated).toBeNull()
    }
    const pausesByKind = Object.values(batchSend.gc.byKind as Record<string, number>)
    expect(pausesByKind.reduce((sum, count) => sum + count, 0)).toBe(batchSend.gc.pauses)
    expect(result.summary.batchSendSyncMs).toEqual(batchSend)
    expect(result.subjects.langfuse.batchSendSyncMs).toBeUndefined()
    expect(result.subjects.openllmetry.records.unit).toBe('spans')
    expect(result.subjects.langfuse.records.unit).toBe('spans')

    for (const name of SUBJECT_NAMES) {
      expectFinite(result.summary.nonStreamingAddedUs[name].p50)
      expectFinite(result.summary.nonStreamingAddedUs[name].bareP50Us)
      expectFinite(result.summary.perChunkAddedUs[name].p99)
    }
    expect(result.summary.goals).toEqual({ nonStreamingAddedUs: 50, perChunkAddedUs: 1 })
    for (const verdict of Object.values(result.summary.aiCostProfiler))
      expect(verdict).toEqual(expect.any(Boolean))
  }, 120_000)

  it('refuses a bad option value', async () => {
    await expect(sdkBench(['--calls', 'many'])).rejects.toThrow('--calls takes a positive whole number')
    await expect(sdkBench(['--compression', 'br'])).rejects.toThrow('--compression takes gzip or none')
  })
})
