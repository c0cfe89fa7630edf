import type OpenAI from 'openai'
import type { Compression } from '../../../packages/sdk/src/index.ts'
import type { ClockLoopStalls } from './clock-loop-stalls.ts'
import type { GcPauses } from './gc-pauses.ts'
import type { LongTurn } from './longest-turn.ts'

/** The clients under comparison: the SDK itself and the peers it is measured against. */
export const SUBJECT_NAMES = ['aiCostProfiler', 'openllmetry', 'langfuse'] as const

/** One of `SUBJECT_NAMES`. */
export type SubjectName = (typeof SUBJECT_NAMES)[number]

/** What a subject recorded for the calls it saw: the proof that it was active during the run. */
export type SubjectRecords =
  | { unit: 'events'; count: number; dropped: number; ingestRequests?: number }
  | { unit: 'spans'; count: number; spanNames: string[] }

/** A subject set up in this process: its instrumented client and a bare client that bypasses it. */
export interface BenchSubject {
  /** The package measured, with the version installed. */
  package: string
  /** How the subject was configured, for the report. */
  setup: string
  bare: OpenAI
  instrumented: OpenAI
  /** Sends what the subject has recorded so far now (its next batch), as its background export would later. */
  flush(): Promise<void>
  /** Records delivered so far: events the ingest accepted, or spans exported. */
  delivered(): number
  /** Flushes and stops the subject, then says what it recorded. */
  finish(): Promise<SubjectRecords>
  /** This SDK only: how long the event loop is held by sending one batch (see `BatchSendTiming`). */
  measureBatchSend?(options: {
    batches: number
    batchSize: number
    /** How long the clock-reading loop runs after each set of flushes (`FlushTurns.clockLoop`). */
    clockLoopMs: number
  }): Promise<BatchSendTiming>
}

/** The median, 99th percentile and longest of each timed flush's longest turn, and how many passed 1 ms. */
export interface TurnFigures {
  p50Ms: number
  p99Ms: number
  maxMs: number
  over1Ms: number
}

/** One set of timed flushes (see `BatchSendTiming`). */
export interface FlushTurns extends TurnFigures {
  /** The collector's pauses during the timed flushes: a long turn that matches one is the collector's. */
  gc: GcPauses
  /**
   * The same figures with the collector's pauses taken out of each turn: the SDK's own work and the
   * machine's scheduling. A pause stops the loop whoever allocated last, and a bare client's process
   * pauses as well (see the paced windows).
   */
  withoutGcPauses: TurnFigures
  /**
   * Per flush, an upper bound on the time the loop's thread ran within one turn (see `runningMs`):
   * the collector's pauses and the time the thread waited for a core are left out, so what remains
   * is the SDK's own hold on the loop, or less.
   */
  running: TurnFigures
  /**
   * Every turn of the timed flushes whose running bound passed 1 ms, with the collector's pauses,
   * the thread's waits for a core and its returns to a core within it: what is left to explain.
   */
  runningOver1Ms: Array<LongTurn & { flush: number }>
  /** Seconds the timed flushes were watched, first turn to last, summed over the flushes. */
  watchedSeconds: number
  /** `runningOver1Ms` per watched second, to set beside `clockLoop.over1MsPerSecond`. */
  runningOver1MsPerSecond: number
  /**
   * Right after the flushes, in the same setting: a loop that does nothing but read the clock, and
   * the gaps over 1 ms it saw that no wait for a core explains (`measureClockLoopStalls`). The
   * machine's own stalls: the floor under the flushes' long turns.
   */
  clockLoop: ClockLoopStalls
}

/**
 * The longest turn of the event loop while one batch of recorded streaming calls is flushed: taking
 * them from the queue, building their events, serialising and compressing the body, sending it and
 * reading the answer (see `turnsDuring`). Sending a batch is the longest stretch of the SDK's
 * own work on the loop (a call's own work is microseconds); timed on its own, with nothing else
 * running, it can be judged apart from the pauses of the collector and the OS in the paced windows.
 */
export interface BatchSendTiming extends FlushTurns {
  batches: number
  batchSize: number
  /**
   * The same flushes timed again with the loop thread alone on a CPU and every other thread (this
   * process's and the parent's) on the others (`isolateLoopThread`), so no other work can take the
   * loop thread's core: what is left is the SDK's own work and the collector. Null where the machine
   * cannot pin threads.
   */
  loopThreadIsolated: FlushTurns | null
}

/** Sets a subject up against the fake upstream at `baseUrl`; `ingestUrl` is the fake ingest server in the parent process. */
export type StartBenchSubject = (options: {
  baseUrl: string
  ingestUrl: string
  /** How this SDK encodes its request bodies; the peers export in process and ignore it. */
  compression: Compression
}) => Promise<BenchSubject>

/** Options every client of the benchmark is built with: the fake upstream, and no retries to blur timings. */
export function clientOptions(baseUrl: string) {
  return { apiKey: 'sk-bench', baseURL: baseUrl, maxRetries: 0 }
}
