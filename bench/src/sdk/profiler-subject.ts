import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import OpenAI from 'openai'
// The workspace exports of the SDK point at its build; the benchmark measures the sources as they are.
import { createProfiler } from '../../../packages/sdk/src/index.ts'
import { percentile } from '../percentile.ts'
import {
  type BatchSendTiming,
  type BenchSubject,
  clientOptions,
  type FlushTurns,
  type StartBenchSubject,
  type TurnFigures,
} from './bench-subject.ts'
import { measureClockLoopStalls } from './clock-loop-stalls.ts'
import { combineGcPauses, type GcPauses, watchGcPauses } from './gc-pauses.ts'
import { isolateLoopThread } from './isolate-loop-thread.ts'
import {
  type LongTurn,
  longestRunningMs,
  longestTurnMs,
  longTurns,
  turnsDuring,
  watchedMs,
} from './longest-turn.ts'
import { roundFigure } from './round-figure.ts'

const SDK_MANIFEST = new URL('../../../packages/sdk/package.json', import.meta.url)
const gzipAsync = promisify(gzip)

/** The median, 99th percentile and longest of each flush's longest turn, and how many passed 1 ms. */
function summarise(longest: readonly number[]): TurnFigures {
  return {
    p50Ms: roundFigure(percentile(longest, 50)),
    p99Ms: roundFigure(percentile(longest, 99)),
    maxMs: roundFigure(Math.max(...longest)),
    over1Ms: longest.filter((ms) => ms > 1).length,
  }
}

/** Our SDK: `createProfiler(...).wrap(client)`, sending its events to a local fake ingest server. */
export const startProfilerSubject: StartBenchSubject = async ({
  baseUrl,
  ingestUrl,
  compression,
}): Promise<BenchSubject> => {
  const { name, version } = JSON.parse(readFileSync(SDK_MANIFEST, 'utf8')) as {
    name: string
    version: string
  }
  const profiler = createProfiler({ endpoint: ingestUrl, apiKey: 'bench', flushOnExit: false, compression })
  return {
    package: `${name}@${version} (workspace sources)`,
    setup: `createProfiler({ endpoint: <fake ingest on 127.0.0.1, in the parent process>, flushOnExit: false, compression: '${compression}' }).wrap(new OpenAI(...), { feature: 'bench' }); default batching`,
    bare: new OpenAI(clientOptions(baseUrl)),
    instrumented: profiler.wrap(new OpenAI(clientOptions(baseUrl)), { feature: 'bench' }),
    flush: () => profiler.flush(),
    delivered: () => profiler.stats().sent,
    async measureBatchSend({ batches, batchSize, clockLoopMs }): Promise<BatchSendTiming> {
      // A profiler of its own that never sends by itself, so each batch goes out when flushed.
      const timed = createProfiler({
        endpoint: ingestUrl,
        apiKey: 'bench',
        flushOnExit: false,
        batchSize: 10_000,
        flushIntervalMs: 3_600_000,
        compression,
      })
      const client = timed.wrap(new OpenAI(clientOptions(baseUrl)), { feature: 'bench' })
      const timeFlushes = async (pinOther?: (pid: number) => void): Promise<FlushTurns> => {
        const samples: number[] = []
        const samplesWithoutGc: number[] = []
        const samplesRunning: number[] = []
        const flushPauses: GcPauses[] = []
        const overOneMs: Array<LongTurn & { flush: number }> = []
        let watched = 0
        for (let batch = 0; batch < batches; batch++) {
          for (let call = 0; call < batchSize; call++) {
            const stream = await client.chat.completions.create({
              model: 'gpt-4o-mini',
              messages: [{ role: 'user', content: 'Say ok' }],
              stream: true,
            })
            for await (const _chunk of stream) {
              // read every chunk, as an application would
            }
          }
          const gcPauses = watchGcPauses()
          const turns = await turnsDuring(() => timed.flush())
          // The collector reports a pause a turn after it ends.
          await new Promise((resolve) => setImmediate(resolve))
          flushPauses.push(gcPauses.stop())
          samples.push(longestTurnMs(turns))
          samplesWithoutGc.push(longestTurnMs(turns, gcPauses.pausedMsBetween))
          samplesRunning.push(longestRunningMs(turns, gcPauses.pausedMsBetween))
          // Which flush, counted from 1: the first runs the sending path cold, the others warm.
          overOneMs.push(
            ...longTurns(turns, 1, gcPauses.pausedMsBetween).map((turn) => ({ ...turn, flush: batch + 1 })),
          )
          watched += watchedMs(turns)
        }
        return {
          ...summarise(samples),
          gc: combineGcPauses(flushPauses),
          withoutGcPauses: summarise(samplesWithoutGc),
          running: summarise(samplesRunning),
          runningOver1Ms: overOneMs,
          watchedSeconds: roundFigure(watched / 1000),
          runningOver1MsPerSecond: watched > 0 ? roundFigure(overOneMs.length / (watched / 1000)) : 0,
          clockLoop: await measureClockLoopStalls(clockLoopMs, pinOther),
        }
      }
      try {
        const asIs = await timeFlushes()
        // The same again with the loop thread alone on a CPU. Threads created later would inherit its
        // CPU, so the thread pool (which gzip uses) is started first.
        await gzipAsync('')
        const isolation = isolateLoopThread(process.ppid)
        let isolated: FlushTurns | null = null
        if (isolation) {
          try {
            isolated = await timeFlushes(isolation.moveToOtherCpus)
          } finally {
            isolation.restore()
          }
        }
        const expected = (isolated ? 2 : 1) * batches * batchSize
        if (timed.stats().sent !== expected)
          throw new Error(`the timed batches delivered ${timed.stats().sent} of ${expected} events`)
        return { batches, batchSize, ...asIs, loopThreadIsolated: isolated }
      } finally {
        await timed.shutdown()
      }
    },
    async finish() {
      await profiler.shutdown()
      const stats = profiler.stats()
      return { unit: 'events', count: stats.sent, dropped: stats.dropped }
    },
  }
}
