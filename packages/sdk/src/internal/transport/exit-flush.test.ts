import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import chatCompletion from '../../__fixtures__/openai/chat-completion.json' with { type: 'json' }
import chunks from '../../__fixtures__/openai/chat-completion-chunks.json' with { type: 'json' }
import { type FakeHttpServer, sendJson, startFakeHttpServer } from '../../test-support/fake-http-server.ts'
import { openAiChatStream } from '../../test-support/openai-upstream.ts'
import { registerExitFlush } from './exit-flush.ts'

const run = promisify(execFile)
const packageRoot = fileURLToPath(new URL('../../..', import.meta.url))

/**
 * Runs a script in a fresh Node process (so `beforeExit` really fires) that makes one wrapped call, works
 * on for `workMs` and never shuts down. With a short `flushIntervalMs` the event is sent while it works.
 */
async function runChild(
  env: Record<string, string>,
  options: { flushIntervalMs?: number; workMs?: number } = {},
) {
  const { flushIntervalMs = 600_000, workMs = 0 } = options
  const script = `
    import OpenAI from 'openai'
    import { createProfiler } from './src/index.ts'
    const profiler = createProfiler({
      flushIntervalMs: ${flushIntervalMs},
      shutdownTimeoutMs: 300,
      requestTimeoutMs: 60000,
      onError: (error) => console.log(error.code, error.droppedEvents ?? ''),
    })
    const openai = profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: process.env.UPSTREAM + '/v1' }))
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    await new Promise((resolve) => setTimeout(resolve, ${workMs}))
    process.on('exit', () => console.log('dropped', profiler.stats().dropped))
  `
  const started = Date.now()
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: packageRoot,
    env: { ...process.env, ...env },
    timeout: 20_000,
  })
  return { ms: Date.now() - started, printed: stdout.trim().split('\n') }
}

let upstream: FakeHttpServer
let ingest: FakeHttpServer

beforeEach(async () => {
  upstream = await startFakeHttpServer()
  upstream.setDefault((_request, response) => sendJson(response, 200, chatCompletion))
  ingest = await startFakeHttpServer()
  ingest.setDefault((_request, response) =>
    sendJson(response, 200, { accepted: 1, duplicates: 0, errors: [] }),
  )
})
afterEach(async () => {
  await Promise.all([upstream.close(), ingest.close()])
})

describe('flush on exit', () => {
  it('delivers queued events when the process is about to exit, then lets it exit', async () => {
    const child = await runChild({ UPSTREAM: upstream.url, ACP_ENDPOINT: ingest.url, ACP_API_KEY: 'k' })
    expect(child.printed).toEqual(['dropped 0'])
    expect(ingest.requests).toHaveLength(1)
    expect(ingest.requests[0]?.json()).toMatchObject({
      events: [expect.objectContaining({ provider: 'openai' })],
    })
  })

  it('never keeps the process alive much longer than the shutdown timeout when the server is down or hangs, and reports the loss', async () => {
    const reachable = await runChild({ UPSTREAM: upstream.url, ACP_ENDPOINT: ingest.url, ACP_API_KEY: 'k' })
    expect(reachable.printed).toEqual(['dropped 0'])
    const unreachable = await runChild({
      UPSTREAM: upstream.url,
      ACP_ENDPOINT: 'http://127.0.0.1:1',
      ACP_API_KEY: 'k',
    })
    ingest.setDefault(() => {
      // Takes the batch and never answers: only abandoning the request lets the process exit.
    })
    const hanging = await runChild({ UPSTREAM: upstream.url, ACP_ENDPOINT: ingest.url, ACP_API_KEY: 'k' })
    for (const child of [unreachable, hanging]) {
      // Start-up dominates every run; the failed exit flush adds at most its 300 ms budget (plus scheduling noise).
      expect(child.ms - reachable.ms).toBeLessThan(1500)
      expect(child.printed).toEqual(['SHUTDOWN_TIMEOUT 1', 'dropped 1'])
    }
  })

  it('lets a process whose send is under way when its work ends exit after the shutdown timeout, not the request timeout', async () => {
    const env = { UPSTREAM: upstream.url, ACP_ENDPOINT: ingest.url, ACP_API_KEY: 'k' }
    // The batch goes out 10 ms after the call, while the process still works for 500 ms.
    const reachable = await runChild(env, { flushIntervalMs: 10, workMs: 500 })
    expect(reachable.printed).toEqual(['dropped 0'])
    ingest.setDefault(() => {
      // Takes the batch and never answers (a stalled server): the request would wait 60 s for it.
      // Only the exit flush's bound may keep the process.
    })
    const stalled = await runChild(env, { flushIntervalMs: 10, workMs: 500 })
    expect(stalled.ms - reachable.ms).toBeLessThan(1500)
    expect(stalled.printed).toEqual(['SHUTDOWN_TIMEOUT 1', 'dropped 1'])
  })

  it('reports every dropped event by the exit, also when the queue was already sent', async () => {
    // Two bursts overflow a small queue; the second one's drops wait for a summed report whose timer
    // does not hold the process, which ends once its work is done, without shutdown().
    const script = `
      import OpenAI from 'openai'
      import { createProfiler } from './src/index.ts'
      let reported = 0
      const profiler = createProfiler({
        maxQueueSize: 10,
        batchSize: 10,
        onError: (error) => { reported += error.droppedEvents ?? 0 },
      })
      const completion = { id: 'c', object: 'chat.completion', model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }
      const fetch = async () => new Response(JSON.stringify(completion), { headers: { 'content-type': 'application/json' } })
      const openai = profiler.wrap(new OpenAI({ apiKey: 'sk', fetch }))
      const burst = () => Promise.all(Array.from({ length: 30 }, () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [] })))
      await burst()
      await new Promise((resolve) => setTimeout(resolve, 50))
      await burst()
      await new Promise((resolve) => setTimeout(resolve, 300))
      process.on('exit', () => console.log('dropped', profiler.stats().dropped, 'reported', reported))
    `
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: packageRoot,
      env: { ...process.env, ACP_ENDPOINT: ingest.url, ACP_API_KEY: 'k' },
      timeout: 20_000,
    })
    const [, dropped, reported] = /dropped (\d+) reported (\d+)/.exec(stdout) ?? []
    expect(Number(dropped)).toBeGreaterThan(20)
    expect(reported).toBe(dropped)
  })

  it('records a stream helper left early before the process exits, though its request never ends', async () => {
    // A server that ignores include_usage, its finish chunk and [DONE] in one write: once the helper
    // aborts its request, its read never settles, and only the profiler's wait records the call.
    upstream.setDefault(openAiChatStream(chunks.slice(0, 5), { delayMs: 5, lastInOneWrite: 2 }))
    const script = `
      import OpenAI from 'openai'
      import { createProfiler } from './src/index.ts'
      const profiler = createProfiler({ flushIntervalMs: 600000, shutdownTimeoutMs: 2000 })
      const openai = profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: process.env.UPSTREAM + '/v1' }))
      const stream = openai.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      for await (const chunk of stream) if (chunk.choices[0]?.finish_reason) break
      process.on('exit', () => console.log('sent', profiler.stats().sent))
    `
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: packageRoot,
      env: { ...process.env, UPSTREAM: upstream.url, ACP_ENDPOINT: ingest.url, ACP_API_KEY: 'k' },
      timeout: 20_000,
    })
    expect(stdout.trim()).toBe('sent 1')
    expect(ingest.requests[0]?.json()).toMatchObject({
      events: [
        expect.objectContaining({
          status: 'incomplete',
          error: expect.objectContaining({ type: 'aborted' }),
        }),
      ],
    })
  })

  it('unregisters cleanly', () => {
    const before = process.listenerCount('beforeExit')
    const unregister = registerExitFlush(async () => {})
    const unregisterSecond = registerExitFlush(async () => {})
    expect(process.listenerCount('beforeExit')).toBe(before + 1)
    unregister()
    unregisterSecond()
    expect(process.listenerCount('beforeExit')).toBe(before)
  })
})
