import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { GoogleGenerativeAI, GoogleGenerativeAIFetchError } from '@google/generative-ai'
import { ClientError, GoogleAuthError, VertexAI } from '@google-cloud/vertexai'
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import resourceExhausted from '../../../__fixtures__/gemini/error-resource-exhausted.json' with {
  type: 'json',
}
import generateContent from '../../../__fixtures__/gemini/generate-content.json' with { type: 'json' }
import chunks from '../../../__fixtures__/gemini/stream-chunks.json' with { type: 'json' }
import { createProfiler } from '../../../create-profiler.ts'
import { type FakeHttpServer, startFakeHttpServer } from '../../../test-support/fake-http-server.ts'
import {
  chunksWithPartialLastUsage,
  geminiJson,
  geminiStream,
} from '../../../test-support/gemini-upstream.ts'
import { startTestProfiler, type TestProfiler } from '../../../test-support/test-profiler.ts'

const cachedUsage = {
  inputTokens: 34_500,
  outputTokens: 1315,
  cacheReadInputTokens: 32_768,
  reasoningTokens: 1105,
}
const streamUsage = { inputTokens: 1200, outputTokens: 422, reasoningTokens: 408 }

let upstream: FakeHttpServer
let test: TestProfiler

beforeAll(async () => {
  upstream = await startFakeHttpServer()
})
afterAll(async () => {
  await upstream.close()
})
beforeEach(async () => {
  upstream.reset()
  test = await startTestProfiler()
  return () => test.close()
})

describe('wrapping @google/generative-ai', () => {
  const model = () =>
    test.profiler
      .wrap(new GoogleGenerativeAI('gemini-key'), { feature: 'legacy' })
      .getGenerativeModel({ model: 'gemini-2.5-pro' }, { baseUrl: upstream.url })

  it('keeps the types', () => {
    const wrapped = test.profiler.wrap(new GoogleGenerativeAI('k'))
    expectTypeOf(wrapped).toEqualTypeOf<GoogleGenerativeAI>()
  })

  it('records generateContent and generateContentStream', async () => {
    upstream.enqueue(geminiJson(generateContent), geminiStream(chunks, { delayMs: 2 }))
    const result = await model().generateContent('Summarise Q3')
    expect(result.response.text()).toContain('Quarterly revenue')

    const streamed = await model().generateContentStream({
      contents: [{ role: 'user', parts: [{ text: 'Q3' }] }],
    })
    let text = ''
    for await (const chunk of streamed.stream) text += chunk.text()
    expect(text).toBe('Quarterly revenue grew 12%, driven by renewals.')
    expect((await streamed.response).text()).toBe(text)

    const events = await test.events()
    expect(events).toMatchObject([
      { provider: 'google', model: 'gemini-2.5-pro', requestedModel: 'gemini-2.5-pro', usage: cachedUsage },
      {
        provider: 'google',
        model: 'gemini-2.5-flash',
        streaming: true,
        status: 'success',
        usage: streamUsage,
      },
    ])
    expect(events[1]?.timeToFirstTokenMs).toBeGreaterThan(0)
  })

  it('records the whole stream even when the caller stops reading early', async () => {
    upstream.enqueue(geminiStream(chunks, { delayMs: 2 }))
    const streamed = await model().generateContentStream('Q3')
    for await (const _chunk of streamed.stream) break
    await streamed.response
    const [event] = await test.events()
    expect(event).toMatchObject({ status: 'success', usage: streamUsage })
  })

  it('records chat sessions once per message', async () => {
    upstream.enqueue(geminiJson(generateContent), geminiStream())
    const chat = model().startChat()
    await chat.sendMessage('Hello')
    const streamed = await chat.sendMessageStream('More')
    await streamed.response
    const events = await test.events()
    expect(upstream.requests).toHaveLength(2)
    expect(events).toMatchObject([
      { streaming: false, usage: cachedUsage },
      { streaming: true, usage: streamUsage },
    ])
  })

  it('records HTTP errors and rethrows the SDK error', async () => {
    upstream.enqueue(geminiJson(resourceExhausted, 429), geminiJson(resourceExhausted, 429))
    const error = await model()
      .generateContent('x')
      .catch((caught) => caught)
    expect(error).toBeInstanceOf(GoogleGenerativeAIFetchError)
    const streamError = await model()
      .generateContentStream('x')
      .catch((caught) => caught)
    expect(streamError).toBeInstanceOf(GoogleGenerativeAIFetchError)
    upstream.enqueue(geminiJson({ error: { code: 404, message: 'not found', status: 'NOT_FOUND' } }, 404))
    await model()
      .generateContent('x')
      .catch(() => {})
    const events = await test.events()
    // The SDK keeps the status but not the body's code: the one Google answers that status with.
    expect(events).toMatchObject([
      {
        status: 'error',
        streaming: false,
        error: { type: 'rate_limit', httpStatus: 429, code: 'RESOURCE_EXHAUSTED' },
      },
      {
        status: 'error',
        streaming: true,
        error: { type: 'rate_limit', httpStatus: 429, code: 'RESOURCE_EXHAUSTED' },
      },
      { status: 'error', error: { type: 'not_found', httpStatus: 404, code: 'NOT_FOUND' } },
    ])
  })

  it('records embedContent and batchEmbedContents with tokens estimated from their texts', async () => {
    const embedder = test.profiler
      .wrap(new GoogleGenerativeAI('gemini-key'), { feature: 'search' })
      .getGenerativeModel({ model: 'gemini-embedding-001' }, { baseUrl: upstream.url })
    upstream.enqueue(
      geminiJson({ embedding: { values: [0.1, 0.2] } }),
      geminiJson({ embedding: { values: [0.1, 0.2] } }),
      geminiJson({ embeddings: [{ values: [0.1] }, { values: [0.2] }] }),
      geminiJson(resourceExhausted, 429),
    )
    // 12 bytes: 3 tokens; 'héllo' is 6 bytes: 2 tokens, and 'abcde' 2 more; 4 + 8 bytes: 1 + 2 tokens.
    const single = await embedder.embedContent('twelve bytes')
    expect(single.embedding.values).toEqual([0.1, 0.2])
    await embedder.embedContent({ content: { role: 'user', parts: [{ text: 'héllo' }, { text: 'abcde' }] } })
    const batch = await embedder.batchEmbedContents({
      requests: [
        { content: { role: 'user', parts: [{ text: 'four' }] } },
        { content: { role: 'user', parts: [{ text: 'eight by' }] } },
      ],
    })
    expect(batch.embeddings).toHaveLength(2)
    const error = await embedder.embedContent('x').catch((caught) => caught)
    expect(error).toBeInstanceOf(GoogleGenerativeAIFetchError)
    const events = await test.events()
    expect(events).toMatchObject([
      { provider: 'google', model: 'gemini-embedding-001', feature: 'search', usageEstimated: true },
      { usage: { inputTokens: 4, outputTokens: 0 }, usageEstimated: true },
      { usage: { inputTokens: 3, outputTokens: 0 }, usageEstimated: true },
      { status: 'error', error: { type: 'rate_limit', httpStatus: 429 } },
    ])
    expect(events[0]?.usage).toEqual({ inputTokens: 3, outputTokens: 0 })
  })

  it('wraps a model handed in directly', async () => {
    upstream.enqueue(geminiJson(generateContent))
    const direct = test.profiler.wrap(
      new GoogleGenerativeAI('k').getGenerativeModel(
        { model: 'models/gemini-2.5-pro' },
        { baseUrl: upstream.url },
      ),
    )
    await direct.generateContent('x')
    const [event] = await test.events()
    expect(event).toMatchObject({ provider: 'google', requestedModel: 'gemini-2.5-pro' })
  })

  it('records a stream that ends with an error event as incomplete, with the totals so far', async () => {
    const errorEvent = { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }
    upstream.enqueue(geminiStream([chunks[0], chunks[1], errorEvent]))
    const streamed = await model().generateContentStream('Q3')
    for await (const _chunk of streamed.stream) {
      // the SDK hands the error event on as a chunk
    }
    await streamed.response
    const [event] = await test.events()
    expect(event).toMatchObject({
      status: 'incomplete',
      streaming: true,
      usage: { inputTokens: 1200, outputTokens: 417, reasoningTokens: 408 },
      error: { type: 'overloaded', httpStatus: 503, code: 'UNAVAILABLE' },
    })
  })

  it("classifies a refused connection, the client's own timeout and the caller's abort", async () => {
    const closed = await startFakeHttpServer()
    const closedUrl = closed.url
    await closed.close()
    const client = test.profiler.wrap(new GoogleGenerativeAI('k'))
    await client
      .getGenerativeModel({ model: 'gemini-2.5-pro' }, { baseUrl: closedUrl })
      .generateContent('x')
      .catch(() => {})
    const hang = () => {}
    upstream.enqueue(hang, hang)
    await client
      .getGenerativeModel({ model: 'gemini-2.5-pro' }, { baseUrl: upstream.url, timeout: 50 })
      .generateContent('x')
      .catch(() => {})
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    await model()
      .generateContent('x', { signal: controller.signal })
      .catch(() => {})
    const events = await test.events()
    expect(events.map((event) => event.error?.type)).toEqual(['connection', 'timeout', 'aborted'])
  })

  it('counts a model taken from a wrapped client and wrapped again once, with both contexts', async () => {
    upstream.enqueue(geminiJson(generateContent), geminiJson(generateContent))
    const rewrapped = test.profiler.wrap(model(), { userId: 'user-4' })
    await rewrapped.generateContent('x')
    await rewrapped.startChat().sendMessage('Hello')
    const events = await test.events()
    expect(events).toHaveLength(2)
    expect(events).toMatchObject([
      { feature: 'legacy', userId: 'user-4' },
      { feature: 'legacy', userId: 'user-4' },
    ])
  })
})

describe('odd and broken @google/generative-ai answers', () => {
  const model = () =>
    test.profiler
      .wrap(new GoogleGenerativeAI('gemini-key'))
      .getGenerativeModel({ model: 'gemini-2.5-flash' }, { baseUrl: upstream.url })

  it('records a stream whose usage details are not lists, and never fails the host', async () => {
    const odd = chunks.map((chunk) => ({
      ...chunk,
      usageMetadata: { ...chunk.usageMetadata, promptTokensDetails: { modality: 'TEXT', tokenCount: 1200 } },
    }))
    upstream.enqueue(geminiStream(odd))
    const streamed = await model().generateContentStream('Q3')
    for await (const _chunk of streamed.stream) {
      // drain
    }
    expect((await streamed.response).text()).toContain('renewals')
    const [event] = await test.events()
    expect(event).toMatchObject({ status: 'success', usage: streamUsage })
    expect(test.errors).toEqual([])
  })

  it('reports a failure to read the aggregated response instead of rejecting unhandled', async () => {
    // A model-shaped object whose aggregated response throws when read: the profiler's own failure.
    const unreadable = {
      get usageMetadata(): unknown {
        throw new Error('unreadable')
      },
    }
    const lookalike = {
      model: 'models/gemini-2.5-flash',
      generateContent: async () => ({ response: {} }),
      startChat: () => ({}),
      generateContentStream: async () => ({
        stream: (async function* () {})(),
        response: Promise.resolve(unreadable),
      }),
    }
    const streamed = await test.profiler.wrap(lookalike).generateContentStream()
    expect(await streamed.response).toBe(unreadable)
    await new Promise((resolve) => setImmediate(resolve))
    expect(test.errors.map((error) => error.code)).toEqual(['INTERNAL_ERROR'])
    expect(test.errors[0]?.message).toContain('unreadable')
  })

  it('records an error body answered with a 200 as a failed call, with its classification', async () => {
    const errorBody = { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }
    upstream.enqueue(geminiJson(errorBody))
    const result = await model().generateContent('x')
    expect(result.response).toMatchObject(errorBody)
    const [event] = await test.events()
    expect(event).toMatchObject({
      status: 'error',
      error: { type: 'overloaded', httpStatus: 503, code: 'UNAVAILABLE' },
    })
  })

  it('records a stream that ends cleanly before any finish reason as incomplete, read or not', async () => {
    upstream.enqueue(geminiStream(chunks.slice(0, 2)), geminiStream(chunks.slice(0, 2)))
    const read = await model().generateContentStream('Q3')
    for await (const _chunk of read.stream) {
      // drain
    }
    await read.response
    // Only the aggregated response is awaited: its candidates carry no finish reason either.
    await (await model().generateContentStream('Q3')).response
    const events = await test.events()
    expect(events).toMatchObject([
      { status: 'incomplete', usage: { inputTokens: 1200, outputTokens: 417 } },
      { status: 'incomplete', usage: { inputTokens: 1200, outputTokens: 417 } },
    ])
  })

  it('records a stream whose connection drops part-way as incomplete, a connection failure', async () => {
    upstream.enqueue(geminiStream(chunks, { destroyAfter: 2, delayMs: 10 }))
    const streamed = await model().generateContentStream('Q3')
    streamed.response.catch(() => {})
    const error = await (async () => {
      for await (const _chunk of streamed.stream) {
        // read until it fails
      }
    })().catch((caught) => caught)
    expect(error).toBeInstanceOf(Error)
    const [event] = await test.events()
    // What arrived before the cut is kept (the last chunk written may be lost with the socket).
    expect(event).toMatchObject({
      status: 'incomplete',
      usage: { inputTokens: 1200 },
      error: { type: 'connection' },
    })
  })

  it('gives a slow reader of a stream that fails the chunks unwrapped gives it, then the failure', async () => {
    const read = async (client: GoogleGenerativeAI) => {
      // Three chunks arrive, then the connection is cut before the fourth.
      upstream.enqueue(geminiStream([...chunks, chunks[2]], { destroyAfter: 3, delayMs: 20 }))
      const streamed = await client
        .getGenerativeModel({ model: 'gemini-2.5-pro' }, { baseUrl: upstream.url })
        .generateContentStream('Q3')
      streamed.response.catch(() => {})
      const seen: string[] = []
      try {
        for await (const chunk of streamed.stream) {
          seen.push(chunk.text())
          // Slower than the chunks arrive: the cut comes while some are still unread.
          await new Promise((resolve) => setTimeout(resolve, 300))
        }
      } catch (error) {
        seen.push(`failed: ${(error as Error).constructor.name}`)
      }
      return seen
    }
    const bare = await read(new GoogleGenerativeAI('gemini-key'))
    expect(bare.at(-1)).toMatch(/^failed/)
    expect(await read(test.profiler.wrap(new GoogleGenerativeAI('gemini-key')))).toEqual(bare)
  })

  it('leaves the response of a dropped stream nobody reads to reject as it does unwrapped', async () => {
    // Unwrapped, a model's stream leaves that rejection unhandled, which ends a Node process; a chat
    // session handles it itself. The profiler's own handlers must change neither. A process of its own,
    // as the test runner reports unhandled rejections itself.
    const script = `
      import { GoogleGenerativeAI } from '@google/generative-ai'
      import { createProfiler } from './src/index.ts'
      process.on('unhandledRejection', (error) => {
        console.log('unhandled', error.constructor.name)
        process.exit(0)
      })
      const profiler = createProfiler({ endpoint: 'http://127.0.0.1:9', apiKey: 'k', onError: () => {} })
      const model = profiler
        .wrap(new GoogleGenerativeAI('gemini-key'))
        .getGenerativeModel({ model: 'gemini-2.5-flash' }, { baseUrl: process.env.UPSTREAM })
      const streamed =
        process.env.SHAPE === 'chat' ? await model.startChat().sendMessageStream('Q3') : await model.generateContentStream('Q3')
      try {
        for await (const _chunk of streamed.stream);
      } catch (error) {
        console.log('stream failed', error.constructor.name)
      }
      await new Promise((resolve) => setTimeout(resolve, 500))
      console.log('no unhandled rejection')
      process.exit(0)
    `
    const run = async (shape: string) => {
      upstream.enqueue(geminiStream(chunks, { destroyAfter: 2, delayMs: 10 }))
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        {
          cwd: fileURLToPath(new URL('../../../..', import.meta.url)),
          env: { ...process.env, UPSTREAM: upstream.url, SHAPE: shape },
          timeout: 20_000,
        },
      )
      // Which of the two the process hears of first is the SDK's business, not the profiler's.
      return stdout.trim().split('\n').sort()
    }
    expect(await run('model')).toEqual([
      'stream failed GoogleGenerativeAIError',
      'unhandled GoogleGenerativeAIError',
    ])
    expect(await run('chat')).toEqual(['no unhandled rejection', 'stream failed GoogleGenerativeAIError'])
  })

  it('records a stream cut by the timeout of the model or of the call as a timeout', async () => {
    const readAll = async (streamed: { stream: AsyncIterable<unknown>; response: Promise<unknown> }) => {
      streamed.response.catch(() => {})
      return (async () => {
        for await (const _chunk of streamed.stream) {
          // read until the timeout cuts the stream
        }
      })().catch((caught) => caught)
    }
    upstream.enqueue(geminiStream(chunks, { delayMs: 150 }))
    const modelTimeout = test.profiler
      .wrap(new GoogleGenerativeAI('gemini-key'))
      .getGenerativeModel({ model: 'gemini-2.5-pro' }, { baseUrl: upstream.url, timeout: 200 })
    expect(await readAll(await modelTimeout.generateContentStream('Q3'))).toBeInstanceOf(Error)
    upstream.enqueue(geminiStream(chunks, { delayMs: 150 }))
    expect(await readAll(await model().generateContentStream('Q3', { timeout: 200 }))).toBeInstanceOf(Error)
    const events = await test.events()
    expect(events).toHaveLength(2)
    for (const event of events) {
      expect(event).toMatchObject({ status: 'incomplete', streaming: true, error: { type: 'timeout' } })
    }
  })

  it("records the caller's abort part-way through a stream as aborted", async () => {
    upstream.enqueue(geminiStream(chunks, { delayMs: 100 }))
    const controller = new AbortController()
    const streamed = await model().generateContentStream('Q3', { signal: controller.signal })
    streamed.response.catch(() => {})
    const error = await (async () => {
      for await (const _chunk of streamed.stream) controller.abort()
    })().catch((caught) => caught)
    expect(error).toBeInstanceOf(Error)
    const [event] = await test.events()
    expect(event).toMatchObject({ status: 'incomplete', streaming: true, error: { type: 'aborted' } })
  })
})

describe('wrapping @google-cloud/vertexai', () => {
  // The Vertex SDK always builds https:// URLs; the fake upstream speaks plain HTTP on 127.0.0.1.
  beforeEach(() => {
    const realFetch = globalThis.fetch
    vi.stubGlobal('fetch', (input: string | URL | Request, init?: RequestInit) =>
      realFetch(
        typeof input === 'string' ? input.replace(/^https:\/\/127\.0\.0\.1/, 'http://127.0.0.1') : input,
        init,
      ),
    )
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    return () => vi.unstubAllGlobals()
  })

  const bareVertex = () =>
    new VertexAI({
      project: 'acme-prod',
      location: 'europe-west4',
      apiEndpoint: upstream.url.replace('http://', ''),
      googleAuthOptions: {
        authClient: { getAccessToken: async () => ({ token: 'vertex-token' }) } as never,
      },
    })
  const vertex = () => test.profiler.wrap(bareVertex(), { feature: 'vertex-reports' })

  it('records generateContent, streams and chats as provider vertex', async () => {
    upstream.enqueue(geminiJson(generateContent), geminiStream(), geminiJson(generateContent))
    const model = vertex().getGenerativeModel({ model: 'gemini-2.5-pro' })
    const result = await model.generateContent({ contents: [{ role: 'user', parts: [{ text: 'Q3' }] }] })
    expect(result.response.candidates?.[0]?.content.parts[0]?.text).toContain('Quarterly')
    const streamed = await model.generateContentStream({
      contents: [{ role: 'user', parts: [{ text: 'Q3' }] }],
    })
    for await (const _chunk of streamed.stream) {
      // drain
    }
    await streamed.response
    // Without parameters the Vertex SDK's chat session forgets apiEndpoint, so pass some.
    await model.startChat({}).sendMessage('Hello')

    expect(upstream.requests[0]?.path).toBe(
      '/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/gemini-2.5-pro:generateContent',
    )
    expect(upstream.requests[0]?.headers.authorization).toBe('Bearer vertex-token')
    const events = await test.events()
    expect(events).toMatchObject([
      { provider: 'vertex', model: 'gemini-2.5-pro', feature: 'vertex-reports', usage: cachedUsage },
      { provider: 'vertex', streaming: true, usage: streamUsage },
      { provider: 'vertex', streaming: false, requestedModel: 'gemini-2.5-pro' },
    ])
  })

  it('strips the per-call option from countTokens, which Vertex AI sends as it is given, and records nothing', async () => {
    upstream.enqueue(geminiJson({ totalTokens: 3 }), geminiJson({ totalTokens: 3 }))
    const request = { contents: [{ role: 'user', parts: [{ text: 'Q3' }] }] }
    const withOption = { ...request, acp: { messageId: 'msg-1' } }
    const answer = await vertex().getGenerativeModel({ model: 'gemini-2.5-pro' }).countTokens(withOption)
    expect(answer).toEqual({ totalTokens: 3 })
    const disabled = createProfiler({ enabled: false }).wrap(bareVertex())
    await disabled.preview.getGenerativeModel({ model: 'gemini-2.5-pro' }).countTokens(withOption)
    expect(upstream.requests.map((recorded) => recorded.path)).toEqual([
      '/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/gemini-2.5-pro:countTokens',
      '/v1/projects/acme-prod/locations/europe-west4/publishers/google/models/gemini-2.5-pro:countTokens',
    ])
    for (const recorded of upstream.requests) expect(recorded.json()).toEqual(request)
    expect(await test.events()).toEqual([])
  })

  it('records the usage the chunks carried when only the response is awaited, and its last chunk has none', async () => {
    // The aggregate takes its usage from the last chunk only: here it has none.
    const lastWithoutUsage = [chunks[0], chunks[1], { ...chunks[2], usageMetadata: undefined }]
    const request = { contents: [{ role: 'user', parts: [{ text: 'Q3' }] }] }
    upstream.enqueue(geminiStream(lastWithoutUsage), geminiStream(lastWithoutUsage))
    const streamed = await vertex()
      .getGenerativeModel({ model: 'gemini-2.5-pro' })
      .generateContentStream(request)
    const aggregate = await streamed.response
    const bare = await (
      await bareVertex().getGenerativeModel({ model: 'gemini-2.5-pro' }).generateContentStream(request)
    ).response
    expect(aggregate).toEqual(bare)
    expect(aggregate.usageMetadata).toBeUndefined()
    // The stream read after the response still yields every chunk.
    let text = ''
    for await (const chunk of streamed.stream) text += chunk.candidates?.[0]?.content.parts[0]?.text
    expect(text).toBe('Quarterly revenue grew 12%, driven by renewals.')

    // No chunk with usage at all: the tokens are unknown, which is not a $0 success.
    const noUsage = chunks.map((chunk) => ({ ...chunk, usageMetadata: undefined }))
    upstream.enqueue(geminiStream(noUsage))
    await (await vertex().getGenerativeModel({ model: 'gemini-2.5-pro' }).generateContentStream(request))
      .response
    const events = await test.events()
    expect(events).toMatchObject([
      { status: 'success', model: 'gemini-2.5-flash', usage: { inputTokens: 1200, outputTokens: 417 } },
      { status: 'incomplete', usage: { inputTokens: 0, outputTokens: 0 } },
    ])
    expect(events[0]?.timeToFirstTokenMs).toBeGreaterThan(0)
  })

  it('keeps a count an earlier chunk gave when the last chunk, and so the response, leaves it out', async () => {
    upstream.enqueue(geminiStream(chunksWithPartialLastUsage))
    const request = { contents: [{ role: 'user', parts: [{ text: 'Q3' }] }] }
    await (await vertex().getGenerativeModel({ model: 'gemini-2.5-pro' }).generateContentStream(request))
      .response
    expect(await test.events()).toMatchObject([
      { status: 'success', usage: { inputTokens: 1200, outputTokens: 14 + 408, reasoningTokens: 408 } },
    ])
  })

  it('records a preview model and a 429 ClientError', async () => {
    upstream.enqueue(geminiJson(resourceExhausted, 429))
    const model = vertex().preview.getGenerativeModel({ model: 'gemini-2.5-flash' })
    const error = await model
      .generateContent({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] })
      .catch((caught) => caught)
    expect(error).toBeInstanceOf(ClientError)
    const [event] = await test.events()
    expect(event).toMatchObject({
      provider: 'vertex',
      status: 'error',
      error: { type: 'rate_limit', httpStatus: 429, code: 'RESOURCE_EXHAUSTED' },
    })
  })

  it('classifies a refused connection through the error Vertex AI wraps it in', async () => {
    const closed = await startFakeHttpServer()
    const closedHost = closed.url.replace('http://', '')
    await closed.close()
    const model = test.profiler
      .wrap(
        new VertexAI({
          project: 'acme-prod',
          location: 'europe-west4',
          apiEndpoint: closedHost,
          googleAuthOptions: {
            authClient: { getAccessToken: async () => ({ token: 'vertex-token' }) } as never,
          },
        }),
      )
      .getGenerativeModel({ model: 'gemini-2.5-pro' })
    await model.generateContent({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] }).catch(() => {})
    const [event] = await test.events()
    expect(event).toMatchObject({ provider: 'vertex', status: 'error', error: { type: 'connection' } })
  })

  it('records a failure to get an access token as an authentication error', async () => {
    const model = test.profiler
      .wrap(
        new VertexAI({
          project: 'acme-prod',
          location: 'europe-west4',
          apiEndpoint: upstream.url.replace('http://', ''),
          googleAuthOptions: {
            authClient: {
              getAccessToken: async () => {
                throw new Error('invalid_grant: account not found')
              },
            } as never,
          },
        }),
      )
      .getGenerativeModel({ model: 'gemini-2.5-pro' })
    const error = await model
      .generateContent({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] })
      .catch((caught) => caught)
    expect(error).toBeInstanceOf(GoogleAuthError)
    expect(upstream.requests).toHaveLength(0)
    const [event] = await test.events()
    expect(event).toMatchObject({ provider: 'vertex', status: 'error', error: { type: 'authentication' } })
  })

  it('records a stream that ends with an error event as incomplete', async () => {
    const errorEvent = { error: { code: 429, message: 'Quota exceeded.', status: 'RESOURCE_EXHAUSTED' } }
    upstream.enqueue(geminiStream([chunks[0], errorEvent]))
    const streamed = await vertex()
      .getGenerativeModel({ model: 'gemini-2.5-flash' })
      .generateContentStream({ contents: [{ role: 'user', parts: [{ text: 'Q3' }] }] })
    for await (const _chunk of streamed.stream) {
      // the error event arrives as a chunk; the aggregated response leaves it out
    }
    await streamed.response
    const [event] = await test.events()
    expect(event).toMatchObject({ status: 'incomplete', error: { type: 'rate_limit', httpStatus: 429 } })
  })
})
