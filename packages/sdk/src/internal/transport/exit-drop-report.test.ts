import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import chatCompletion from '../../__fixtures__/openai/chat-completion.json' with { type: 'json' }
import {
  type FakeHttpServer,
  type Responder,
  sendJson,
  startFakeHttpServer,
} from '../../test-support/fake-http-server.ts'
import { registerExitDropReport } from './exit-drop-report.ts'

const run = promisify(execFile)
const packageRoot = fileURLToPath(new URL('../../..', import.meta.url))

/**
 * Runs a script in a fresh Node process that makes five wrapped calls in batches of 2, waits until
 * `until` holds of the profiler's stats, then ends as `ending` says. Its onError prints each report
 * and throws.
 */
async function runChild(env: Record<string, string>, until: string, ending: string) {
  const script = `
    import OpenAI from 'openai'
    import { createProfiler } from './src/index.ts'
    const profiler = createProfiler({
      batchSize: 2,
      flushIntervalMs: 600000,
      requestTimeoutMs: 60000,
      initialBackoffMs: 60000,
      onError: (error) => {
        const { queued, inFlight, dropped } = profiler.stats()
        console.log(error.code, error.droppedEvents, 'queued', queued, 'inFlight', inFlight, 'dropped', dropped)
        console.log(error.message)
        throw new Error('a handler that throws')
      },
    })
    const openai = profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: process.env.UPSTREAM + '/v1' }))
    for (let i = 0; i < 5; i++) {
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    }
    while (!((stats) => ${until})(profiler.stats())) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    ${ending}
  `
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: packageRoot,
      env: { ...process.env, ...env },
      timeout: 20_000,
    })
    return { code: 0, printed: stdout.trim().split('\n') }
  } catch (error) {
    const failed = error as { code?: number; stdout?: string }
    return { code: failed.code, printed: (failed.stdout ?? '').trim().split('\n') }
  }
}

const answerChat: Responder = (_request, response) => sendJson(response, 200, chatCompletion)
const acceptEveryEvent: Responder = (request, response) => {
  const { events } = request.json() as { events: unknown[] }
  sendJson(response, 200, { accepted: events.length, duplicates: 0, errors: [] })
}

let upstream: FakeHttpServer
let ingest: FakeHttpServer

beforeEach(async () => {
  upstream = await startFakeHttpServer()
  upstream.setDefault(answerChat)
  ingest = await startFakeHttpServer()
  ingest.setDefault(() => {
    // Takes the batch and never answers.
  })
})
afterEach(async () => {
  await Promise.all([upstream.close(), ingest.close()])
})

describe('report of the events left at exit', () => {
  it('counts and reports once what process.exit() leaves queued or in a request, and keeps the exit code', async () => {
    const child = await runChild(
      { UPSTREAM: upstream.url, ACP_ENDPOINT: ingest.url, ACP_API_KEY: 'k' },
      'stats.inFlight > 0',
      'process.exit(0)',
    )
    expect(child.code).toBe(0)
    expect(child.printed[0]).toBe('EVENTS_DROPPED_AT_EXIT 5 queued 0 inFlight 0 dropped 5')
    expect(child.printed[1]).toContain(
      '5 event(s) not sent (3 queued, 2 in the request under way, 0 of calls still under way)',
    )
    expect(child.printed[1]).toContain('await profiler.shutdown() before calling process.exit()')
    expect(child.printed).toHaveLength(2)
  })

  it('reports what an uncaught exception leaves, with the server down, in the debug log too', async () => {
    const child = await runChild(
      { UPSTREAM: upstream.url, ACP_ENDPOINT: 'http://127.0.0.1:1', ACP_API_KEY: 'k', ACP_DEBUG: '1' },
      'stats.failedBatches > 0',
      `setTimeout(() => { throw new Error('boom') }, 1)`,
    )
    expect(child.code).toBe(1)
    const reported = child.printed.filter((line) => line.startsWith('EVENTS_'))
    // The failed batch went back to the queue: all five are queued.
    expect(reported).toEqual(['EVENTS_DROPPED_AT_EXIT 5 queued 0 inFlight 0 dropped 5'])
    expect(child.printed).toContainEqual(
      expect.stringMatching(
        /^\[ai-cost-profiler\] EVENTS_DROPPED_AT_EXIT: the process exited with 5 event\(s\) not sent \(5 queued, 0 in the request under way, 0 of calls still under way\)/,
      ),
    )
    // The handler threw: said in the debug log, and the exit code is the exception's.
    expect(child.printed).toContainEqual(expect.stringMatching(/onError threw/))
  })

  it('counts a call still under way at process.exit(): it was sent, so billed, and is lost', async () => {
    // The sixth call's answer never comes: the process exits while it is under way.
    upstream.enqueue(...Array.from({ length: 5 }, () => answerChat), () => {})
    const child = await runChild(
      { UPSTREAM: upstream.url, ACP_ENDPOINT: ingest.url, ACP_API_KEY: 'k' },
      'stats.inFlight > 0',
      `void openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }).catch(() => {})
      await new Promise((resolve) => setTimeout(resolve, 100))
      process.exit(0)`,
    )
    expect(child.printed[0]).toBe('EVENTS_DROPPED_AT_EXIT 6 queued 0 inFlight 0 dropped 6')
    expect(child.printed[1]).toContain(
      '6 event(s) not sent (3 queued, 2 in the request under way, 1 of calls still under way)',
    )
  })

  it('counts a call made after shutdown() and still under way at process.exit()', async () => {
    // The sixth call, made after shutdown(), is never answered.
    upstream.enqueue(...Array.from({ length: 5 }, () => answerChat), () => {})
    ingest.setDefault(acceptEveryEvent)
    const child = await runChild(
      { UPSTREAM: upstream.url, ACP_ENDPOINT: ingest.url, ACP_API_KEY: 'k' },
      'true',
      `await profiler.shutdown()
      void openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }).catch(() => {})
      await new Promise((resolve) => setTimeout(resolve, 100))
      process.exit(0)`,
    )
    expect(child.printed[0]).toBe('EVENTS_DROPPED_AT_EXIT 1 queued 0 inFlight 0 dropped 1')
    expect(child.printed[1]).toContain(
      '1 event(s) not sent (0 queued, 0 in the request under way, 1 of calls still under way)',
    )
    expect(child.printed).toHaveLength(2)
  })

  it('counts the losses of every profiler before the handler of a report exits the process', async () => {
    const script = `
      import OpenAI from 'openai'
      import { createProfiler } from './src/index.ts'
      const profilers = []
      const onError = (error) => {
        console.log(error.code, profilers.map((profiler) => profiler.stats().dropped).join(' '))
        process.exit(3)
      }
      for (let index = 0; index < 2; index++) {
        profilers.push(createProfiler({ batchSize: 100, flushIntervalMs: 600000, onError }))
      }
      for (const [index, profiler] of profilers.entries()) {
        const openai = profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: process.env.UPSTREAM + '/v1' }))
        for (let call = 0; call <= index; call++) {
          await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
        }
      }
      process.exit(0)
    `
    const child = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: packageRoot,
      env: { ...process.env, UPSTREAM: upstream.url, ACP_ENDPOINT: ingest.url, ACP_API_KEY: 'k' },
      timeout: 20_000,
    }).catch((error: { code?: number; stdout?: string }) => error)
    expect(child).toMatchObject({ code: 3, stdout: 'EVENTS_DROPPED_AT_EXIT 1 2\n' })
  })

  it('says nothing when shutdown() sent everything before process.exit()', async () => {
    ingest.setDefault(acceptEveryEvent)
    const child = await runChild(
      { UPSTREAM: upstream.url, ACP_ENDPOINT: ingest.url, ACP_API_KEY: 'k' },
      'true',
      `await profiler.shutdown(); console.log('sent', profiler.stats().sent); process.exit(0)`,
    )
    expect(child).toEqual({ code: 0, printed: ['sent 5'] })
  })

  it('unregisters cleanly', () => {
    const before = process.listenerCount('exit')
    const unregister = registerExitDropReport({ dropAtExit: () => () => {} })
    const unregisterSecond = registerExitDropReport({ dropAtExit: () => () => {} })
    expect(process.listenerCount('exit')).toBe(before + 1)
    unregister()
    unregisterSecond()
    expect(process.listenerCount('exit')).toBe(before)
  })
})
