import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import type OpenAI from 'openai'
import { percentile } from '../percentile.ts'

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

/** How late the event loop ran its 1 ms timer while calls were running one after another. */
export interface EventLoopDelay {
  p50: number
  p99: number
  max: number
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
  eventLoopDelayMs: { bare: EventLoopDelay; instrumented: EventLoopDelay }
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
  log: (text: string) => void
}

const WARM_UP_CALLS = 200
const WARM_UP_STREAMS = 50
const EVENT_LOOP_CALLS = 500

const round = (value: number) => Number(value.toFixed(3))

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
    bareMs: { p50: round(bare.p50), p99: round(bare.p99) },
    instrumentedMs: { p50: round(instrumented.p50), p99: round(instrumented.p99) },
    addedMs: { p50: round(instrumented.p50 - bare.p50), p99: round(instrumented.p99 - bare.p99) },
    ratio: { p50: round(instrumented.p50 / bare.p50), p99: round(instrumented.p99 / bare.p99) },
  }
}

async function eventLoopDelay(calls: number, call: () => Promise<unknown>): Promise<EventLoopDelay> {
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  histogram.enable()
  for (let index = 0; index < calls; index++) await call()
  histogram.disable()
  const ms = (nanoseconds: number) => round(nanoseconds / 1e6)
  return { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) }
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _chunk of stream) {
    // read every chunk, as an application would
  }
}

/**
 * What the instrumented client adds to a call of the bare one: paired, interleaved non-streaming and
 * streaming calls after a warm-up, then how long the event loop is blocked while streams run.
 */
export async function measureOverhead(options: MeasureOverheadOptions): Promise<OverheadMeasurement> {
  const { calls, streamChunks, log } = options
  const messages = [{ role: 'user' as const, content: 'Say ok' }]
  const complete = (client: OpenAI) => () =>
    client.chat.completions.create({ model: 'gpt-4o-mini', messages })
  const stream = (client: OpenAI) => async () =>
    drain(await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }))
  const warmUpCalls = Math.min(WARM_UP_CALLS, calls)
  const warmUpStreams = Math.min(WARM_UP_STREAMS, calls)
  const loopCalls = Math.min(EVENT_LOOP_CALLS, calls)

  log('warming up…')
  await measurePairs(warmUpCalls, complete(options.bare), complete(options.instrumented))
  await measurePairs(warmUpStreams, stream(options.bare), stream(options.instrumented))

  log(`measuring ${calls} non-streaming and ${calls} streaming call pairs (${streamChunks} chunks each)…`)
  const nonStreaming = await measurePairs(calls, complete(options.bare), complete(options.instrumented))
  const streaming = await measurePairs(calls, stream(options.bare), stream(options.instrumented))
  const eventLoopDelayMs = {
    bare: await eventLoopDelay(loopCalls, stream(options.bare)),
    instrumented: await eventLoopDelay(loopCalls, stream(options.instrumented)),
  }
  const perChunkUs = (addedMs: number) => round((addedMs * 1000) / streamChunks)
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
    eventLoopDelayMs,
    instrumentedCalls: warmUpCalls + warmUpStreams + 2 * calls + loopCalls,
  }
}
