// Child process of the SDK benchmark: one subject alone in its process, with its own bare client. Peers
// patch the `openai` module and register global OpenTelemetry providers, so sharing a process would let
// them slow down each other and the bare baseline. The fake upstream and ingest run in the parent, as a
// provider and a server would run elsewhere: this process's event loop holds the client and its
// instrumentation only.
import type { Compression } from '../../../packages/sdk/src/index.ts'
import type { BatchSendTiming, StartBenchSubject, SubjectName, SubjectRecords } from './bench-subject.ts'
import { measureOverhead, type OverheadMeasurement } from './measure-overhead.ts'

/** Parent → child: measure this subject. */
export interface SubjectProcessRequest {
  subject: SubjectName
  calls: number
  streamChunks: number
  /** The fake ingest server, in the parent process so its decoding never counts as the SDK's time. */
  ingestUrl: string
  /** This SDK's request bodies: `ProfilerOptions.compression`. */
  compression: Compression
  /** The fake OpenAI upstream, in the parent process, serving `streamChunks` chunks per stream. */
  upstreamUrl: string
}

/** What one subject's process measured. */
export interface SubjectMeasurement extends OverheadMeasurement {
  package: string
  setup: string
  records: SubjectRecords
  /** This SDK only (see `BatchSendTiming`). */
  batchSendSyncMs?: BatchSendTiming
}

// 30 batches of the SDK's default size: 3,000 streaming calls, a few seconds.
const TIMED_BATCHES = 30
/** How long the clock-reading loop runs after each set of timed flushes (`measureClockLoopStalls`). */
const CLOCK_LOOP_MS = 5_000
const TIMED_BATCH_SIZE = 100

/** Child → parent. */
export type SubjectProcessReply =
  | { type: 'measured'; measurement: SubjectMeasurement }
  | { type: 'failed'; message: string }

// Lazy, so a process loads only its own subject's packages.
const SUBJECTS: Record<SubjectName, () => Promise<StartBenchSubject>> = {
  aiCostProfiler: async () => (await import('./profiler-subject.ts')).startProfilerSubject,
  openllmetry: async () => (await import('./openllmetry-subject.ts')).startOpenLlmetrySubject,
  langfuse: async () => (await import('./langfuse-subject.ts')).startLangfuseSubject,
}

/** A subject that recorded nothing was not measured at all; more records than calls means the bare client was traced too. */
function checkRecords(subject: SubjectName, records: SubjectRecords, instrumentedCalls: number): void {
  if (records.count === 0) throw new Error(`${subject} recorded no ${records.unit}: it was not active`)
  if (records.count > instrumentedCalls)
    throw new Error(
      `${subject} recorded ${records.count} ${records.unit} for ${instrumentedCalls} instrumented calls: the bare client was not bare`,
    )
}

async function measureSubject(request: SubjectProcessRequest): Promise<SubjectMeasurement> {
  const log = (text: string) => process.stderr.write(`[${request.subject}] ${text}\n`)
  const startSubject = await SUBJECTS[request.subject]()
  const subject = await startSubject({
    baseUrl: request.upstreamUrl,
    ingestUrl: request.ingestUrl,
    compression: request.compression,
  })
  const measurement = await measureOverhead({
    bare: subject.bare,
    instrumented: subject.instrumented,
    calls: request.calls,
    streamChunks: request.streamChunks,
    flush: () => subject.flush(),
    delivered: () => subject.delivered(),
    log,
  })
  const records = await subject.finish()
  checkRecords(request.subject, records, measurement.instrumentedCalls)
  let batchSendSyncMs: BatchSendTiming | undefined
  if (subject.measureBatchSend) {
    log('timing the synchronous part of sending a batch…')
    batchSendSyncMs = await subject.measureBatchSend({
      batches: Math.min(TIMED_BATCHES, request.calls),
      batchSize: TIMED_BATCH_SIZE,
      // Long enough to count the machine's stalls at their usual rate of about one a second; a short run stays short.
      clockLoopMs: Math.min(CLOCK_LOOP_MS, request.calls * 10),
    })
  }
  return { package: subject.package, setup: subject.setup, ...measurement, records, batchSendSyncMs }
}

function reply(message: SubjectProcessReply): void {
  process.send?.(message, () => process.exit(0))
}

// A parent that dies (Ctrl-C, a crash) closes the channel: never outlive it.
process.on('disconnect', () => process.exit(0))

process.once('message', async (request: SubjectProcessRequest) => {
  try {
    reply({ type: 'measured', measurement: await measureSubject(request) })
  } catch (error) {
    reply({
      type: 'failed',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    })
  }
})
