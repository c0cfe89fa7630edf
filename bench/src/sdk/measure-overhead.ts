import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { setTimeout } from 'node:timers/promises'
import type OpenAI from 'openai'
import { percentile } from '../percentile.ts'
import { type GcPauses, watchGcPauses } from './gc-pauses.ts'
import { allocatedBytesPerCall } from './measure-allocation.ts'
import { roundFigure } from './round-figure.ts'

/** Median and 99th percentile. */
export interface Distribution {
  p50: number
  p99: number
}

/** Bare and instrumented timings of one kind of call, measured as interleaved pairs. */
export interface PairedTimings {
  bareMs: Distribution
  instrumentedMs: Distribution
  /** Instrumented minus bare, per percentile: what the subject adds to one call. */
  addedMs: Distribution
  /** Instrumented over bare, per percentile. */
  ratio: Distribution
}

/**
 * One `monitorEventLoopDelay({ resolution: 1 })` histogram, in ms. Node samples with a repeating 1 ms
 * timer (the finest it allows: `resolution` must be a whole number of ms) and records the time between
 * two runs of that timer, so an idle loop records about 1 ms, not 0, and one synchronous stretch of B ms
 * shows as a sample between B and B + 1 ms. Preemption of the process by the OS shows the same way.
 */
export interface EventLoopDelay {
  p50: number
  p99: number
  max: number
  /**
   * The garbage collector's pauses in the same window (`PerformanceObserver` 'gc' entries): each stops
   * the loop, so a maximum near the longest pause is the collector's, whoever allocated.
   */
  gc: GcPauses
}

/** The event loop while calls run one after another: the loop is never idle, so this is the client's own pace. */
export interface BackToBackEventLoopDelay {
  /** Streaming calls made, each awaited before the next. */
  calls: number
  bare: EventLoopDelay
  instrumented: EventLoopDelay
}

/**
 * The event loop while a streaming call starts every `intervalMs`, whether or not the previous one has
 * ended, so the loop is mostly idle between calls and a sample well above 1 ms is one long stretch of
 * work (or the OS), not a queue of calls. Three windows one after another, each with its own histogram:
 * no calls, bare calls, instrumented calls. The instrumented window ends with the subject's flush (for
 * the SDK: batch JSON, gzip and POST to the fake ingest), and the SDK's full batches (100 events by
 * default) also go out during the window, as in production; the subject is flushed before the windows,
 * so none of its work falls into the idle or bare one. What the instrumentation blocks is judged against
 * the bare window of the same run; the idle window is the floor the machine itself sets.
 */
export interface PacedEventLoopDelay {
  /** Streaming calls started per window. */
  calls: number
  /** Time between the starts of two calls. */
  intervalMs: number
  /** `monitorEventLoopDelay` sampling resolution. */
  resolutionMs: number
  /** The same time span with no calls. */
  idle: EventLoopDelay
  bare: EventLoopDelay
  instrumented: EventLoopDelay
  /** Records the subject delivered during the instrumented window (events accepted by the ingest, spans exported). */
  instrumentedDelivered: number
}

/** Everything `measureOverhead` measured. */
export interface OverheadMeasurement {
  nonStreaming: PairedTimings
  streaming: PairedTimings & {
    /** Streaming added time divided by the chunks of one stream. */
    addedPerChunkUs: Distribution
    /**
     * What each chunk adds beyond the call's fixed cost: (streaming added − non-streaming added) ÷
     * chunks, at the median. `addedPerChunkUs` charges the whole per-call cost to the chunks too.
     */
    marginalPerChunkUs: { p50: number }
  }
  /**
   * The bare client streaming with `stream_options.include_usage` (as a caller who wants the stream's
   * usage asks for it) against the same client without it, per chunk at the median: the price of
   * streamed usage itself (a longer stream to read), which the instrumented client pays because it
   * adds the option. The instrumentation's own cost per chunk is about `addedPerChunkUs` minus this.
   */
  includeUsagePerChunkUs: { p50: number }
  /** How late the event loop ran its 1 ms timer (see `EventLoopDelay`): calls back to back, then paced. */
  eventLoopDelayMs: { backToBack: BackToBackEventLoopDelay; paced: PacedEventLoopDelay }
  /**
   * KiB allocated per streaming call (see `allocatedBytesPerCall`), bare and instrumented, and their
   * difference: the instrumentation's share of the collector's work.
   */
  allocatedPerStreamKiB: { calls: number; bare: number; instrumented: number; added: number }
  /** Calls made through the instrumented client, warm-up included: each should leave one record. */
  instrumentedCalls: number
}

/** Options of `measureOverhead`. */
export interface MeasureOverheadOptions {
  bare: OpenAI
  instrumented: OpenAI
  /** Measured pairs of each kind (non-streaming, streaming). */
  calls: number
  /** Content chunks of one stream, as the upstream serves them. */
  streamChunks: number
  /** Sends what the subject has recorded so far, as its background export would. */
  flush: () => Promise<void>
  /** Records the subject has delivered so far. */
  delivered: () => number
  log: (text: string) => void
}

const WARM_UP_CALLS = 200
const WARM_UP_STREAMS = 50
const EVENT_LOOP_CALLS = 500
// Three times the SDK's default batch size, so full batches go out inside the paced window too.
const PACED_CALLS = 300
const PACED_INTERVAL_MS = 10
const ALLOCATION_CALLS = 200
const LOOP_RESOLUTION_MS = 1

interface RawTimings {
  bare: Distribution
  instrumented: Distribution
}

async function timeCall(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await call()
  return performance.now() - started
}

function distribution(samples: readonly number[]): Distribution {
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) }
}

/** Runs bare and instrumented calls alternately, so drift hits both alike, and takes their percentiles. */
async function measurePairs(
  calls: number,
  bare: () => Promise<unknown>,
  instrumented: () => Promise<unknown>,
): Promise<RawTimings> {
  const bareSamples: number[] = []
  const instrumentedSamples: number[] = []
  for (let index = 0; index < calls; index++) {
    if (index % 2 === 0) {
      bareSamples.push(await timeCall(bare))
      instrumentedSamples.push(await timeCall(instrumented))
    } else {
      instrumentedSamples.push(await timeCall(instrumented))
      bareSamples.push(await timeCall(bare))
    }
  }
  return { bare: distribution(bareSamples), instrumented: distribution(instrumentedSamples) }
}

// Differences and ratios come from the unrounded percentiles; only the reported figures are rounded.
function pairedTimings({ bare, instrumented }: RawTimings): PairedTimings {
  return {
    bareMs: { p50: roundFigure(bare.p50), p99: roundFigure(bare.p99) },
    instrumentedMs: { p50: roundFigure(instrumented.p50), p99: roundFigure(instrumented.p99) },
    addedMs: { p50: roundFigure(instrumented.p50 - bare.p50), p99: roundFigure(instrumented.p99 - bare.p99) },
    ratio: { p50: roundFigure(instrumented.p50 / bare.p50), p99: roundFigure(instrumented.p99 / bare.p99) },
  }
}

/** Runs `work` under a fresh event-loop delay histogram (a histogram cannot be paused: re-enabling it records the gap). */
async function withLoopHistogram(work: () => Promise<void>): Promise<EventLoopDelay> {
  const gcPauses = watchGcPauses()
  const histogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS })
  histogram.enable()
  let gc: GcPauses
  try {
    await work()
  } finally {
    histogram.disable()
    // Stopped whatever happens, so a failed window leaves no observer behind.
    gc = gcPauses.stop()
  }
  const ms = (nanoseconds: number) => roundFigure(nanoseconds / 1e6)
  return {
    p50: ms(histogram.percentile(50)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
    gc,
  }
}

async function backToBackLoopDelay(calls: number, call: () => Promise<unknown>): Promise<EventLoopDelay> {
  return withLoopHistogram(async () => {
    for (let index = 0; index < calls; index++) await call()
  })
}

/** Starts `call` (if any) every `intervalMs`, each on its own schedule, then awaits them all and `after`. */
async function pacedLoopDelay(
  calls: number,
  call: (() => Promise<unknown>) | undefined,
  after?: () => Promise<void>,
): Promise<EventLoopDelay> {
  return withLoopHistogram(async () => {
    const running: Promise<unknown>[] = []
    const startedAt = performance.now()
    for (let index = 0; index < calls; index++) {
      const dueInMs = startedAt + index * PACED_INTERVAL_MS - performance.now()
      if (dueInMs > 0) await setTimeout(dueInMs)
      if (call) running.push(call())
    }
    await setTimeout(Math.max(0, startedAt + calls * PACED_INTERVAL_MS - performance.now()))
    await Promise.all(running)
    await after?.()
  })
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _chunk of stream) {
    // read every chunk, as an application would
  }
}

/**
 * What the instrumented client adds to a call of the bare one: paired, interleaved non-streaming and
 * streaming calls after a warm-up, then how long the event loop is blocked while streams run, first
 * back to back, then paced (see `PacedEventLoopDelay`).
 */
export async function measureOverhead(options: MeasureOverheadOptions): Promise<OverheadMeasurement> {
  const { calls, streamChunks, log } = options
  const messages = [{ role: 'user' as const, content: 'Say ok' }]
  const complete = (client: OpenAI) => () =>
    client.chat.completions.create({ model: 'gpt-4o-mini', messages })
  const stream = (client: OpenAI) => async () =>
    drain(await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }))
  const streamWithUsage = (client: OpenAI) => async () =>
    drain(
      await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      }),
    )
  const warmUpCalls = Math.min(WARM_UP_CALLS, calls)
  const warmUpStreams = Math.min(WARM_UP_STREAMS, calls)
  const loopCalls = Math.min(EVENT_LOOP_CALLS, calls)
  const pacedCalls = Math.min(PACED_CALLS, calls)

  log('warming up…')
  await measurePairs(warmUpCalls, complete(options.bare), complete(options.instrumented))
  await measurePairs(warmUpStreams, stream(options.bare), stream(options.instrumented))

  log(`measuring ${calls} non-streaming and ${calls} streaming call pairs (${streamChunks} chunks each)…`)
  const nonStreaming = await measurePairs(calls, complete(options.bare), complete(options.instrumented))
  const streaming = await measurePairs(calls, stream(options.bare), stream(options.instrumented))
  log(`measuring ${calls} bare streaming pairs without and with include_usage…`)
  const includeUsage = await measurePairs(calls, stream(options.bare), streamWithUsage(options.bare))
  const backToBack: BackToBackEventLoopDelay = {
    calls: loopCalls,
    bare: await backToBackLoopDelay(loopCalls, stream(options.bare)),
    instrumented: await backToBackLoopDelay(loopCalls, stream(options.instrumented)),
  }
  log(`measuring the event loop with a streaming call every ${PACED_INTERVAL_MS} ms…`)
  // Nothing the earlier calls recorded may be sent during the idle or bare window.
  await options.flush()
  const idle = await pacedLoopDelay(pacedCalls, undefined)
  const bare = await pacedLoopDelay(pacedCalls, stream(options.bare))
  const deliveredBefore = options.delivered()
  const instrumented = await pacedLoopDelay(pacedCalls, stream(options.instrumented), options.flush)
  const paced: PacedEventLoopDelay = {
    calls: pacedCalls,
    intervalMs: PACED_INTERVAL_MS,
    resolutionMs: LOOP_RESOLUTION_MS,
    idle,
    bare,
    instrumented,
    instrumentedDelivered: options.delivered() - deliveredBefore,
  }
  log('measuring allocation per streaming call…')
  const allocationCalls = Math.min(ALLOCATION_CALLS, calls)
  const bareBytes = await allocatedBytesPerCall({ calls: allocationCalls, call: stream(options.bare) })
  const instrumentedBytes = await allocatedBytesPerCall({
    calls: allocationCalls,
    call: stream(options.instrumented),
  })
  const kib = (bytes: number) => Number((bytes / 1024).toFixed(1))
  const perChunkUs = (addedMs: number) => roundFigure((addedMs * 1000) / streamChunks)
  const nonStreamingAddedP50Ms = nonStreaming.instrumented.p50 - nonStreaming.bare.p50
  const streamingAddedP50Ms = streaming.instrumented.p50 - streaming.bare.p50
  return {
    nonStreaming: pairedTimings(nonStreaming),
    streaming: {
      ...pairedTimings(streaming),
      addedPerChunkUs: {
        p50: perChunkUs(streamingAddedP50Ms),
        p99: perChunkUs(streaming.instrumented.p99 - streaming.bare.p99),
      },
      marginalPerChunkUs: { p50: perChunkUs(streamingAddedP50Ms - nonStreamingAddedP50Ms) },
    },
    includeUsagePerChunkUs: { p50: perChunkUs(includeUsage.instrumented.p50 - includeUsage.bare.p50) },
    eventLoopDelayMs: { backToBack, paced },
    allocatedPerStreamKiB: {
      calls: allocationCalls,
      bare: kib(bareBytes),
      instrumented: kib(instrumentedBytes),
      added: kib(instrumentedBytes - bareBytes),
    },
    instrumentedCalls: warmUpCalls + warmUpStreams + 2 * calls + loopCalls + pacedCalls + allocationCalls,
  }
}
