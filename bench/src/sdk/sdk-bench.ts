import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { gunzipSync } from 'node:zlib'
import OpenAI from 'openai'
// The workspace exports of the SDK point at its build; the benchmark measures the sources as they are.
import { createProfiler } from '../../../packages/sdk/src/index.ts'
import { percentile } from '../percentile.ts'
import { type FakeOpenAiUpstream, startFakeOpenAiUpstream } from './fake-openai-upstream.ts'

interface Distribution {
  p50: number
  p99: number
}

interface PairedResult {
  bareMs: Distribution
  wrappedMs: Distribution
  /** Wrapped minus bare, per percentile: what the SDK adds to one call. */
  addedMs: Distribution
}

const round = (value: number) => Number(value.toFixed(3))
const log = (text: string) => process.stderr.write(`${text}\n`)

function distribution(samples: readonly number[]): Distribution {
  return { p50: round(percentile(samples, 50)), p99: round(percentile(samples, 99)) }
}

function wholeNumber(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`--${name} takes a positive whole number; got "${text}"`)
  return value
}

/** An ingest server that accepts every batch, so the SDK's transport runs as in production. */
async function startIngest() {
  let received = 0
  const server = createServer((request, response) => {
    const parts: Buffer[] = []
    request.on('data', (part: Buffer) => parts.push(part))
    request.on('end', () => {
      received++
      const { events } = JSON.parse(gunzipSync(Buffer.concat(parts)).toString('utf8')) as {
        events: unknown[]
      }
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ accepted: events.length, duplicates: 0, errors: [] }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function timeCall(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await call()
  return performance.now() - started
}

/** Runs bare and wrapped calls alternately (so drift hits both alike) and compares their percentiles. */
async function measurePaired(
  calls: number,
  bare: () => Promise<unknown>,
  wrapped: () => Promise<unknown>,
): Promise<PairedResult> {
  const bareSamples: number[] = []
  const wrappedSamples: number[] = []
  for (let index = 0; index < calls; index++) {
    if (index % 2 === 0) {
      bareSamples.push(await timeCall(bare))
      wrappedSamples.push(await timeCall(wrapped))
    } else {
      wrappedSamples.push(await timeCall(wrapped))
      bareSamples.push(await timeCall(bare))
    }
  }
  const bareMs = distribution(bareSamples)
  const wrappedMs = distribution(wrappedSamples)
  return {
    bareMs,
    wrappedMs,
    addedMs: { p50: round(wrappedMs.p50 - bareMs.p50), p99: round(wrappedMs.p99 - bareMs.p99) },
  }
}

/** Measures how long the event loop is blocked while `calls` calls run one after another. */
async function eventLoopDelay(calls: number, call: () => Promise<unknown>) {
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
 * The SDK's overhead: added time per call (median and p99) of a wrapped OpenAI client against the
 * bare client on the same local fake upstream, non-streaming and streaming, and how long the event
 * loop is blocked. Options: `--calls N` (default 2000), `--chunks N` per stream (default 100).
 */
export async function sdkBench(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { calls: { type: 'string' }, chunks: { type: 'string' } },
    strict: true,
  })
  const calls = wholeNumber(values.calls, 2000, 'calls')
  const streamChunks = wholeNumber(values.chunks, 100, 'chunks')
  let upstream: FakeOpenAiUpstream | undefined
  const ingest = await startIngest()
  try {
    upstream = await startFakeOpenAiUpstream(streamChunks)
    const profiler = createProfiler({ endpoint: ingest.url, apiKey: 'bench', flushOnExit: false })
    const bare = new OpenAI({ apiKey: 'sk-bench', baseURL: upstream.baseUrl, maxRetries: 0 })
    const wrapped = profiler.wrap(
      new OpenAI({ apiKey: 'sk-bench', baseURL: upstream.baseUrl, maxRetries: 0 }),
      {
        feature: 'bench',
      },
    )
    const messages = [{ role: 'user' as const, content: 'Say ok' }]
    const complete = (client: OpenAI) => () =>
      client.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const stream = (client: OpenAI) => async () =>
      drain(await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }))

    log(`warming up…`)
    await measurePaired(Math.min(200, calls), complete(bare), complete(wrapped))
    await measurePaired(Math.min(50, calls), stream(bare), stream(wrapped))

    log(`measuring ${calls} non-streaming and ${calls} streaming call pairs (${streamChunks} chunks each)…`)
    const nonStreaming = await measurePaired(calls, complete(bare), complete(wrapped))
    const streaming = await measurePaired(calls, stream(bare), stream(wrapped))
    const loopCalls = Math.min(calls, 500)
    const eventLoopDelayMs = {
      bare: await eventLoopDelay(loopCalls, stream(bare)),
      wrapped: await eventLoopDelay(loopCalls, stream(wrapped)),
    }
    await profiler.shutdown()
    const stats = profiler.stats()
    console.log(
      JSON.stringify(
        {
          benchmark: 'sdk',
          node: process.version,
          calls,
          streamChunks,
          nonStreaming,
          streaming,
          eventLoopDelayMs,
          delivery: { sent: stats.sent, dropped: stats.dropped, ingestRequests: ingest.requests() },
          peers: {
            note: 'OpenLLMetry and Langfuse are not installed in this workspace; their overhead was not measured.',
          },
        },
        null,
        2,
      ),
    )
    return 0
  } finally {
    await upstream?.close()
    await ingest.close()
  }
}
