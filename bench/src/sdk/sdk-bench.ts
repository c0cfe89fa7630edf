import { parseArgs } from 'node:util'
import { BenchOptionError } from '../bench-option-error.ts'
import { wholeNumberOption } from '../whole-number-option.ts'
import { SUBJECT_NAMES, type SubjectName } from './bench-subject.ts'
import { startFakeOpenAiUpstream } from './fake-openai-upstream.ts'
import { runSubjectProcess } from './run-subject-process.ts'
import { startFakeIngest } from './start-fake-ingest.ts'
import type { SubjectMeasurement } from './subject-process.ts'

/** The spec's targets for the SDK, against which the measured figures are compared (never substituted). */
const GOALS = { nonStreamingAddedUs: 50, perChunkAddedUs: 1 }

const PEERS = SUBJECT_NAMES.filter((name) => name !== 'aiCostProfiler')

const log = (text: string) => process.stderr.write(`${text}\n`)
const microseconds = (ms: number) => Number((ms * 1000).toFixed(1))

/** The goal figures side by side, each with the bare baseline of its own process. */
function summarise(subjects: Record<SubjectName, SubjectMeasurement>) {
  const perSubject = <T>(pick: (measurement: SubjectMeasurement) => T) =>
    Object.fromEntries(SUBJECT_NAMES.map((name) => [name, pick(subjects[name])])) as Record<SubjectName, T>
  const ours = subjects.aiCostProfiler
  const lowerThanPeers = (pick: (measurement: SubjectMeasurement) => number) =>
    PEERS.every((peer) => pick(ours) < pick(subjects[peer]))
  return {
    goals: GOALS,
    nonStreamingAddedUs: perSubject(({ nonStreaming }) => ({
      p50: microseconds(nonStreaming.addedMs.p50),
      p99: microseconds(nonStreaming.addedMs.p99),
      bareP50Us: microseconds(nonStreaming.bareMs.p50),
    })),
    perChunkAddedUs: perSubject(({ streaming, includeUsagePerChunkUs }) => ({
      ...streaming.addedPerChunkUs,
      marginalP50: streaming.marginalPerChunkUs.p50,
      includeUsageP50: includeUsagePerChunkUs.p50,
      bareStreamP50Us: microseconds(streaming.bareMs.p50),
    })),
    allocatedPerStreamKiB: perSubject(({ allocatedPerStreamKiB }) => allocatedPerStreamKiB),
    batchSendSyncMs: ours.batchSendSyncMs,
    aiCostProfiler: {
      nonStreamingP50WithinGoal: microseconds(ours.nonStreaming.addedMs.p50) <= GOALS.nonStreamingAddedUs,
      perChunkP50WithinGoal: ours.streaming.addedPerChunkUs.p50 <= GOALS.perChunkAddedUs,
      marginalPerChunkP50WithinGoal: ours.streaming.marginalPerChunkUs.p50 <= GOALS.perChunkAddedUs,
      nonStreamingP50LowerThanPeers: lowerThanPeers(({ nonStreaming }) => nonStreaming.addedMs.p50),
      perChunkP50LowerThanPeers: lowerThanPeers(({ streaming }) => streaming.addedPerChunkUs.p50),
    },
  }
}

/**
 * The SDK's overhead next to its peers' (OpenLLMetry, Langfuse): added time per call (median and p99)
 * of each instrumented OpenAI client against a bare one on a local fake upstream, non-streaming and
 * streaming, per streamed chunk, and how long the event loop is blocked (`eventLoopDelayMs.backToBack`:
 * streams one after another; `eventLoopDelayMs.paced`: a stream started every few ms, the loop mostly
 * idle, the subject's flush inside; see `measure-overhead.ts`). Each subject runs alone in its
 * own child process with its own bare baseline; the upstream and ingest fakes run in this process. Options: `--calls N` pairs of each kind
 * (default 2000), `--chunks N` per stream (default 100), `--compression gzip|none` for this SDK's request bodies (default gzip, as the SDK's).
 *
 * @example
 * npm run bench -- sdk --calls 2000 --chunks 100 [--compression gzip|none]
 */
export async function sdkBench(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { calls: { type: 'string' }, chunks: { type: 'string' }, compression: { type: 'string' } },
    strict: true,
  })
  const calls = wholeNumberOption(values.calls, 2000, 'calls')
  const streamChunks = wholeNumberOption(values.chunks, 100, 'chunks')
  const compression = values.compression ?? 'gzip'
  if (compression !== 'none' && compression !== 'gzip')
    throw new BenchOptionError(
      `--compression takes gzip or none (this SDK's request bodies); got "${compression}"`,
    )

  const subjects = {} as Record<SubjectName, SubjectMeasurement>
  // The provider and the SDK's ingest server live in this process, as they would live elsewhere in
  // production: the subject's process holds only the client and its instrumentation.
  const upstream = await startFakeOpenAiUpstream(streamChunks)
  const ingest = await startFakeIngest()
  try {
    // One after another: on a small machine, concurrent subjects would steal each other's CPU.
    for (const subject of SUBJECT_NAMES) {
      log(`measuring ${subject} in its own process…`)
      const requestsBefore = ingest.requests()
      const measured = await runSubjectProcess({
        subject,
        calls,
        streamChunks,
        compression,
        ingestUrl: ingest.url,
        upstreamUrl: upstream.baseUrl,
      })
      if (measured.records.unit === 'events')
        measured.records.ingestRequests = ingest.requests() - requestsBefore
      subjects[subject] = measured
    }
  } finally {
    await Promise.all([ingest.close(), upstream.close()])
  }
  console.log(
    JSON.stringify(
      {
        benchmark: 'sdk',
        node: process.version,
        calls,
        streamChunks,
        compression,
        method:
          'Each subject runs in its own child process with its own bare OpenAI client; the fake OpenAI upstream and the fake ingest server (where the SDK sends its events) run in the parent process on 127.0.0.1, so the subject process holds only the client and its instrumentation. Bare and instrumented calls alternate in pairs after a warm-up; added = instrumented − bare per percentile, ratio = instrumented / bare, per chunk = streaming added / streamChunks; marginal per chunk = (streaming added − non-streaming added) / streamChunks, the cost of a chunk beyond the call itself. Event loop: monitorEventLoopDelay at 1 ms resolution (an idle loop reads about 1 ms), with streams back to back, then paced (one started every intervalMs; idle, bare and instrumented windows in turn, the last ending with the subject flushing its records), each window with the pauses of the garbage collector in it (count and longest). Allocation: KiB allocated per streaming call, bare and instrumented, from the sampling heap profiler with collected objects included. includeUsage: the bare client streaming with stream_options.include_usage against without it, per chunk (the price of streamed usage itself). batchSendSyncMs (this SDK): the longest turn of the event loop while a batch of 100 recorded streaming calls is flushed (building, serialising, compressing when compression is gzip, sending), timed with a chain of setImmediate callbacks; withoutGcPauses: the same with the garbage collector pauses (PerformanceObserver gc entries) taken out of each turn; running: per turn its length less the collector pauses and the time the loop thread waited for a core (the per-thread schedstat of the kernel), an upper bound on the time the SDK held the loop; runningOver1Ms: each turn whose running bound passed 1 ms, with its pauses, waits and returns to a core, and which flush it was in (from 1: the first sends cold); clockLoop: right after, in the same setting, a loop that only reads the clock, and its gaps over 1 ms that no wait for a core explains (the stalls of the machine itself, beside runningOver1MsPerSecond); loopThreadIsolated: the same flushes again with the loop thread alone on CPU 0 and every other thread of the subject and of this process on the other CPUs (taskset), null where threads cannot be pinned.',
        subjects,
        summary: summarise(subjects),
      },
      null,
      2,
    ),
  )
  return 0
}
