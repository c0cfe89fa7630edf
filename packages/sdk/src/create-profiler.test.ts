import { GoogleGenerativeAI } from '@google/generative-ai'
import OpenAI from 'openai'
import { afterEach, describe, expect, it, vi } from 'vitest'
import generateContent from './__fixtures__/gemini/generate-content.json' with { type: 'json' }
import chatCompletion from './__fixtures__/openai/chat-completion.json' with { type: 'json' }
import { type CallContext, callContext } from './call-context.ts'
import { createProfiler, type WrapOptions } from './create-profiler.ts'
import { ProfilerError } from './profiler-error.ts'
import { type FakeHttpServer, sendJson, startFakeHttpServer } from './test-support/fake-http-server.ts'
import { startTestProfiler } from './test-support/test-profiler.ts'

const messages = [{ role: 'user' as const, content: 'hi' }]
const servers: FakeHttpServer[] = []

async function upstreamServing(body: unknown): Promise<FakeHttpServer> {
  const server = await startFakeHttpServer()
  server.setDefault((_request, response) => sendJson(response, 200, body))
  servers.push(server)
  return server
}

afterEach(async () => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

describe('createProfiler', () => {
  it('is disabled without endpoint and key: warns once, passes calls through unrecorded', async () => {
    vi.stubEnv('ACP_ENDPOINT', '')
    vi.stubEnv('ACP_API_KEY', '')
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const onError = vi.fn()
    const profiler = createProfiler({ onError })
    expect(profiler.enabled).toBe(false)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]?.[0]).toContain('ACP_ENDPOINT')
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'PROFILER_DISABLED' })

    const client = new OpenAI({ apiKey: 'sk' })
    const wrapped = profiler.wrap(client)
    expect(wrapped.constructor).toBe(OpenAI)
    expect(wrapped.baseURL).toBe(client.baseURL)
    const thing = { hello: 'world' }
    expect(profiler.wrap(thing)).toBe(thing)
    expect(profiler.withContext({ userId: 'u' }, () => 42)).toBe(42)
    await profiler.flush()
    await profiler.shutdown()
    expect(profiler.stats()).toMatchObject({ queued: 0, sent: 0, dropped: 0 })
  })

  it('never lets the per-call option reach the provider while disabled, and changes nothing else', async () => {
    const openAiUpstream = await startFakeHttpServer()
    servers.push(openAiUpstream)
    openAiUpstream.setDefault((_request, response) => sendJson(response, 200, chatCompletion))
    const geminiUpstream = await upstreamServing(generateContent)
    const profiler = createProfiler({ enabled: false })
    const context = callContext({ messageId: 'msg-44' })

    const openai = profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${openAiUpstream.url}/v1` }))
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages }, context)
    expect(completion.id).toBe(chatCompletion.id)
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
    // @google/generative-ai sends whatever its request object holds.
    const model = profiler
      .wrap(new GoogleGenerativeAI('k'))
      .getGenerativeModel({ model: 'gemini-2.5-flash' }, { baseUrl: geminiUpstream.url })
    await model.generateContent({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], ...context })

    const bodies = [...openAiUpstream.requests, ...geminiUpstream.requests].map((request) => request.body)
    expect(bodies).toHaveLength(3)
    for (const body of bodies) expect(body).not.toContain('msg-44')
    // Nothing is added to the request (no stream_options for a stream, no fetch replaced).
    expect(openAiUpstream.requests[1]?.json()).not.toHaveProperty('stream_options')
    expect(profiler.stats()).toMatchObject({ queued: 0, sent: 0 })
  })

  it('stays silent when disabled on purpose', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    expect(createProfiler({ enabled: false, endpoint: 'http://x', apiKey: 'k' }).enabled).toBe(false)
    expect(warn).not.toHaveBeenCalled()
  })

  it('reads ACP_ENDPOINT, ACP_API_KEY, ACP_DEBUG, ACP_COMPRESSION and ACP_SEND_THREAD when created, not when imported', async () => {
    const ingest = await startFakeHttpServer()
    servers.push(ingest)
    ingest.setDefault((_request, response) =>
      sendJson(response, 200, { accepted: 1, duplicates: 0, errors: [] }),
    )
    const upstream = await upstreamServing(chatCompletion)
    vi.stubEnv('ACP_ENDPOINT', `${ingest.url}/`)
    vi.stubEnv('ACP_API_KEY', 'acp_from_env')
    vi.stubEnv('ACP_DEBUG', 'true')
    vi.stubEnv('ACP_COMPRESSION', 'None')
    vi.stubEnv('ACP_SEND_THREAD', 'Inline')
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {})
    const profiler = createProfiler({ flushOnExit: false })
    expect(profiler.enabled).toBe(true)
    const openai = profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }))
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    await profiler.shutdown()
    expect(ingest.requests[0]?.path).toBe('/v1/events')
    expect(ingest.requests[0]?.headers.authorization).toBe('Bearer acp_from_env')
    expect(ingest.requests[0]?.headers['content-encoding']).toBeUndefined()
    expect(profiler.stats().sent).toBe(1)
    // ACP_DEBUG is on: a working profiler says what it sent, and nothing else.
    expect(debug.mock.calls).toEqual([['[ai-cost-profiler] sent 1 event(s): 1 stored, 0 already stored']])

    const failing = createProfiler({ endpoint: 'http://127.0.0.1:1', apiKey: 'k', flushOnExit: false })
    failing.wrap({ not: 'a client' })
    expect(debug.mock.calls.some(([message]) => String(message).includes('UNSUPPORTED_CLIENT'))).toBe(true)
    await failing.shutdown()
  })

  it('reports invalid options and falls back to defaults instead of throwing', async () => {
    const errors: ProfilerError[] = []
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const profiler = createProfiler({
      endpoint: 'ftp://example.com',
      apiKey: 'k',
      onError: (error) => errors.push(error),
    })
    expect(profiler.enabled).toBe(false)
    expect(warn).toHaveBeenCalled()
    expect(errors.map((error) => error.code)).toEqual(['INVALID_OPTIONS', 'PROFILER_DISABLED'])

    const test = await startTestProfiler({
      batchSize: -1,
      flushIntervalMs: Number.NaN,
      compression: 'brotli' as 'gzip',
      sendThread: 'fiber' as 'worker',
    })
    expect(test.profiler.enabled).toBe(true)
    expect(test.errors.map((error) => error.message)).toEqual([
      expect.stringContaining('batchSize'),
      expect.stringContaining('flushIntervalMs'),
      expect.stringContaining("compression must be 'gzip' or 'none'"),
      "sendThread must be 'worker' or 'inline'; got \"fiber\", using 'worker'",
    ])
    await test.close()
  })

  it('takes the endpoint as a URL object', async () => {
    const test = await startTestProfiler()
    const upstream = await upstreamServing(chatCompletion)
    const profiler = createProfiler({ endpoint: new URL(test.ingest.url), apiKey: 'k', flushOnExit: false })
    expect(profiler.enabled).toBe(true)
    const openai = profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }))
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    await profiler.shutdown()
    expect(profiler.stats()).toMatchObject({ sent: 1, dropped: 0 })
    expect(test.ingest.requests[0]?.path).toBe('/v1/events')
    await test.close()
  })

  it('never throws for options of the wrong type: reports what to pass, and is disabled without a usable endpoint or key', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const errors: ProfilerError[] = []
    const onError = (error: ProfilerError) => errors.push(error)
    const endpoint = 'http://127.0.0.1:1'
    const numberKey = createProfiler({ endpoint, apiKey: 12_345 as never, onError })
    const bufferKey = createProfiler({ endpoint, apiKey: Buffer.from('acp_key') as never, onError })
    const numberEndpoint = createProfiler({ endpoint: 4751 as never, apiKey: 'k', onError })
    for (const profiler of [numberKey, bufferKey, numberEndpoint]) expect(profiler.enabled).toBe(false)
    expect(errors.filter((error) => error.code === 'INVALID_OPTIONS').map((error) => error.message)).toEqual([
      expect.stringMatching(/^apiKey must be a string.*got a number$/),
      expect.stringMatching(/^apiKey must be a string.*got a Buffer$/),
      expect.stringMatching(/^endpoint must be a string or a URL.*got a number$/),
    ])
    expect(errors.filter((error) => error.code === 'PROFILER_DISABLED')).toHaveLength(3)
    errors.length = 0

    const loose = createProfiler({
      endpoint,
      apiKey: 'k',
      onError,
      flushOnExit: 'no' as never,
      debug: 1 as never,
      defaultContext: 'checkout' as never,
    })
    expect(loose.enabled).toBe(true)
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringContaining('defaultContext must be an object'),
      expect.stringContaining('debug must be true or false'),
      expect.stringContaining('flushOnExit must be true or false'),
    ])
    await loose.shutdown()

    vi.stubEnv('ACP_ENDPOINT', '')
    vi.stubEnv('ACP_API_KEY', '')
    warn.mockClear()
    expect(createProfiler(endpoint as never).enabled).toBe(false)
    expect(warn.mock.calls.map(([message]) => String(message))).toEqual([
      expect.stringContaining('createProfiler() was given a string, not an options object'),
    ])
  })

  it('is disabled, saying why, by an API key an HTTP header cannot carry', async () => {
    const errors: ProfilerError[] = []
    const onError = (error: ProfilerError) => errors.push(error)
    for (const apiKey of ['acp_one\nacp_two', 'acp_ключ_0123456789', 'acp_a b', 'acp_\u0085_0123456789']) {
      expect(createProfiler({ endpoint: 'http://127.0.0.1:1', apiKey, onError }).enabled).toBe(false)
    }
    expect(errors.filter((error) => error.code === 'INVALID_OPTIONS').map((error) => error.message)).toEqual(
      Array(4).fill(
        expect.stringMatching(
          /^apiKey holds a space, a line break, a control character or a character past Latin-1/,
        ),
      ),
    )
    // Whitespace around a key (a file's final line break) is no part of it.
    const trimmed = createProfiler({
      endpoint: 'http://127.0.0.1:1',
      apiKey: ' acp_key\n',
      flushOnExit: false,
    })
    expect(trimmed.enabled).toBe(true)
    await trimmed.shutdown()
  })

  it('is disabled, saying why, by an endpoint with a query string or a fragment', () => {
    const errors: ProfilerError[] = []
    const onError = (error: ProfilerError) => errors.push(error)
    for (const endpoint of [
      'http://127.0.0.1:1/base?tenant=1',
      'http://127.0.0.1:1/#frag',
      'http://127.0.0.1:1?',
    ]) {
      expect(createProfiler({ endpoint, apiKey: 'acp_key', onError }).enabled).toBe(false)
    }
    expect(errors.filter((error) => error.code === 'INVALID_OPTIONS').map((error) => error.message)).toEqual(
      Array(3).fill(
        expect.stringMatching(/^endpoint must be the server's base URL, without a query string or fragment/),
      ),
    )
  })

  it('never throws for options that throw when read: it is disabled, and says so on the console', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const throwing = {
      get endpoint(): string {
        throw new Error('vault locked')
      },
    }
    const revoked = Proxy.revocable({}, {})
    revoked.revoke()
    for (const options of [throwing, revoked.proxy]) {
      const profiler = createProfiler(options)
      expect(profiler.enabled).toBe(false)
      const openai = profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: 'http://127.0.0.1:1', maxRetries: 0 }))
      expect(openai).toBeInstanceOf(OpenAI)
      await profiler.shutdown()
    }
    expect(warn.mock.calls.map(([line]) => line)).toEqual([
      expect.stringMatching(/^\[ai-cost-profiler\] disabled: its options could not be read \(vault locked\)/),
      expect.stringMatching(/^\[ai-cost-profiler\] disabled: its options could not be read/),
    ])
  })

  it('warns once on the console about an onError that is not a function', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const profiler = createProfiler({ endpoint: 'http://127.0.0.1:1', apiKey: 'k', onError: 'log' as never })
    expect(profiler.enabled).toBe(true)
    profiler.wrap({ not: 'a client' })
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]?.[0]).toMatch(/onError must be a function.*got a string/)
    await profiler.shutdown()
  })

  it('returns unsupported objects unchanged and reports them', async () => {
    const test = await startTestProfiler()
    const thing = { hello: 'world' }
    expect(test.profiler.wrap(thing)).toBe(thing)
    expect(test.profiler.wrap(null as never)).toBe(null)
    expect(test.profiler.wrap(42 as never)).toBe(42)
    expect(test.errors.map((error) => error.code)).toEqual([
      'UNSUPPORTED_CLIENT',
      'UNSUPPORTED_CLIENT',
      'UNSUPPORTED_CLIENT',
    ])
    expect(test.errors[1]?.message).toContain('wrap() received null')
    expect(test.errors[0]).toMatchObject({ code: 'UNSUPPORTED_CLIENT' })
    expect(ProfilerError.isInstance(test.errors[0])).toBe(true)
    expect(ProfilerError.isInstance(new Error('x'))).toBe(false)
    await test.close()
  })

  it('leaves a call alone when the client returns something unexpected, and says so', async () => {
    // A shutdown that waited for such a call to end would outlast the test.
    const test = await startTestProfiler({ shutdownTimeoutMs: 60_000 })
    const lookalike = { chat: { completions: { create: () => 42 } }, embeddings: {} }
    const wrapped = test.profiler.wrap(lookalike)
    expect(wrapped.chat.completions.create()).toBe(42)
    expect(test.errors.map((error) => error.code)).toEqual(['UNEXPECTED_RESPONSE'])
    await test.close()
  })

  it('survives a throwing onError handler', async () => {
    const test = await startTestProfiler({
      onError: () => {
        throw new Error('handler bug')
      },
    })
    expect(() => test.profiler.wrap({})).not.toThrow()
    await test.close()
  })

  it('nests withContext and keeps the inner values', async () => {
    const upstream = await upstreamServing(chatCompletion)
    const test = await startTestProfiler({ defaultContext: { feature: 'default', tags: ['env:test'] } })
    const openai = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }))
    await test.profiler.withContext({ userId: 'outer', traceId: 'trace-1', metadata: { a: 1 } }, () =>
      test.profiler.withContext({ userId: 'inner', metadata: { b: 2 } }, () =>
        openai.chat.completions.create({ model: 'gpt-4o-mini', messages }),
      ),
    )
    const [event] = await test.events()
    expect(event).toMatchObject({
      feature: 'default',
      userId: 'inner',
      traceId: 'trace-1',
      tags: ['env:test'],
      metadata: { a: 1, b: 2 },
    })
    await test.close()
  })

  it('records the context as it was when the call ended, not when its event is sent', async () => {
    const upstream = await upstreamServing(chatCompletion)
    const test = await startTestProfiler()
    const openai = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }))
    const metadata: Record<string, unknown> = { step: 1 }
    const tags = ['phase:one']
    await test.profiler.withContext({ metadata, tags }, () =>
      openai.chat.completions.create({ model: 'gpt-4o-mini', messages }),
    )
    // The application reuses its objects for the next request before the batch goes out.
    metadata.step = 2
    tags[0] = 'phase:two'
    const [event] = await test.events()
    expect(event).toMatchObject({ metadata: { step: 1 }, tags: ['phase:one'] })
    await test.close()
  })

  it('reads wrap() options and defaultContext once: later changes to those objects record nothing', async () => {
    const upstream = await upstreamServing(chatCompletion)
    const defaultContext = { metadata: { env: { region: 'eu' } } }
    const test = await startTestProfiler({ defaultContext })
    const options = { feature: 'checkout', tags: ['a'], metadata: { team: { name: 'payments' } } }
    const openai = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }), options)
    // The application goes on using its objects.
    options.feature = 'changed'
    options.tags.push('changed')
    options.metadata.team.name = 'changed'
    defaultContext.metadata.env.region = 'changed'
    const clients = [openai, openai.withOptions({ timeout: 5_000 }), test.profiler.wrap(openai, {})]
    for (const client of clients) await client.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const events = await test.events()
    expect(events).toHaveLength(3)
    for (const event of events) {
      expect(event).toMatchObject({
        feature: 'checkout',
        tags: ['a'],
        metadata: { env: { region: 'eu' }, team: { name: 'payments' } },
      })
    }
    await test.close()
  })

  it('keeps nested metadata as it was when the call ended, even if it later becomes a cycle', async () => {
    const upstream = await upstreamServing(chatCompletion)
    const test = await startTestProfiler()
    const openai = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }))
    const request: Record<string, unknown> = { step: 1 }
    await test.profiler.withContext({ metadata: { request } }, () =>
      openai.chat.completions.create({ model: 'gpt-4o-mini', messages }),
    )
    request.step = 2
    request.self = request
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const events = await test.events()
    expect(events.map((event) => event.metadata)).toEqual([{ request: { step: 1 } }, undefined])
    expect(test.profiler.stats()).toMatchObject({ sent: 2, dropped: 0, failedBatches: 0 })
    await test.close()
  })

  it('records a call whose metadata is not JSON without it, and says why', async () => {
    const upstream = await upstreamServing(chatCompletion)
    const test = await startTestProfiler()
    const openai = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }))
    await test.profiler.withContext({ metadata: { orderTotalCents: 1999n } }, () =>
      openai.chat.completions.create({ model: 'gpt-4o-mini', messages }),
    )
    // The server refuses metadata nested more than 32 levels: the call is sent without it.
    let deep: Record<string, unknown> = { leaf: true }
    for (let level = 0; level < 40; level++) deep = { deep }
    await test.profiler.withContext({ metadata: deep }, () =>
      openai.chat.completions.create({ model: 'gpt-4o-mini', messages }),
    )
    // Nor can it store a NUL or half an emoji; ids with one are mended instead (U+FFFD).
    await test.profiler.withContext(
      { metadata: { note: 'a\u0000b' }, conversationId: 'c\u0000', userId: 'u\ud83d' },
      () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages }),
    )
    // A whole number past 2^53 has already lost digits; the server refuses it rather than store it so.
    await test.profiler.withContext({ metadata: { order: { id: 2 ** 60 } } }, () =>
      openai.chat.completions.create({ model: 'gpt-4o-mini', messages }),
    )
    const events = await test.events()
    expect(events).toHaveLength(4)
    expect(events[2]).toMatchObject({ conversationId: 'c\ufffd', userId: 'u\ufffd' })
    for (const event of events) {
      expect(event).toMatchObject({ status: 'success', model: 'gpt-4o-mini-2024-07-18' })
      expect(event.metadata).toBeUndefined()
    }
    const reasons = test.errors
      .filter((error) => error.code === 'INVALID_CONTEXT')
      .map((error) => error.message)
    expect(reasons).toEqual([
      expect.stringMatching(/cannot be serialised as JSON/),
      expect.stringMatching(/more than 32 levels deep/),
      expect.stringMatching(/holds a NUL character or an unpaired surrogate at note, which cannot be stored/),
      expect.stringMatching(/holds a number at order.id past ±9007199254740991/),
    ])
    await test.close()
  })

  it('reports metadata it leaves out once the call is queued, so stats() counts the call then', async () => {
    const upstream = await upstreamServing(chatCompletion)
    const counted: number[] = []
    const test = await startTestProfiler({
      flushIntervalMs: 60_000,
      onError: () => {
        const { queued, inFlight, sent, duplicates, dropped } = test.profiler.stats()
        counted.push(queued + inFlight + sent + duplicates + dropped)
      },
    })
    const openai = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }), {
      metadata: { blob: 'x'.repeat(20_000) },
    })
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    expect(counted).toEqual([1])
    await test.close()
  })

  it('records numeric ids as strings, and reports what it leaves out once per context handed in', async () => {
    const upstream = await upstreamServing(chatCompletion)
    // As JavaScript hands them in: numeric database ids, and values of types no field takes.
    const test = await startTestProfiler({
      defaultContext: { tags: ['env:test', 7], metadata: [1, 2] } as unknown as CallContext,
    })
    const openai = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }), {
      feature: 'checkout',
      userId: 42,
      traceId: true,
    } as unknown as WrapOptions)
    const scoped = { conversationId: 9007199254740993n, spanId: { id: 1 } } as unknown as CallContext
    await test.profiler.withContext(scoped, async () => {
      const body = { model: 'gpt-4o-mini', messages, acp: { messageId: 7, parentSpanId: false } }
      await openai.chat.completions.create(body as never)
      await openai.chat.completions.create(
        { model: 'gpt-4o-mini', messages },
        callContext({ messageId: 8 } as unknown as CallContext),
      )
    })
    await test.profiler.withContext('user-42' as unknown as CallContext, () =>
      openai.chat.completions.create({ model: 'gpt-4o-mini', messages }),
    )
    const events = await test.events()
    expect(events).toHaveLength(3)
    const common = { feature: 'checkout', userId: '42', tags: ['env:test', '7'] }
    expect(events[0]).toMatchObject({ ...common, conversationId: '9007199254740993', messageId: '7' })
    expect(events[1]).toMatchObject({ ...common, conversationId: '9007199254740993', messageId: '8' })
    expect(events[2]).toMatchObject(common)
    for (const event of events) {
      expect([event.traceId, event.spanId, event.parentSpanId, event.metadata]).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
      ])
    }
    expect(test.profiler.stats()).toMatchObject({ sent: 3, dropped: 0 })
    const reports = test.errors.filter((error) => error.code === 'INVALID_CONTEXT')
    expect(reports.map((error) => error.message)).toEqual([
      "the defaultContext option: a value that cannot be recorded was left out (the rest is recorded): metadata must be a plain object such as { plan: 'pro' }; got an array",
      'the options of wrap(): a value that cannot be recorded was left out (the rest is recorded): traceId must be a string (a number or a bigint is taken as its decimal string); got a boolean',
      'the context of withContext(): a value that cannot be recorded was left out (the rest is recorded): spanId must be a string (a number or a bigint is taken as its decimal string); got an object',
      "a call's per-call context (acp option): a value that cannot be recorded was left out (the rest is recorded): parentSpanId must be a string (a number or a bigint is taken as its decimal string); got a boolean",
      "the context of withContext(): a value that cannot be recorded was left out (the rest is recorded): the context must be an object such as { userId: 'user-42' }; got a string",
    ])
    await test.close()
  })

  it('drops oversized metadata (not the call) and bounds tags', async () => {
    const upstream = await upstreamServing(chatCompletion)
    const test = await startTestProfiler()
    const openai = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }), {
      tags: ['t'.repeat(500)],
      metadata: { blob: 'x'.repeat(20_000) },
    })
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const [event] = await test.events()
    expect(event?.metadata).toBeUndefined()
    expect(event?.tags?.[0]).toHaveLength(128)
    expect(test.errors.map((error) => error.code)).toContain('INVALID_CONTEXT')
    await test.close()
  })

  it('cuts over-long context strings at the limit in characters, never inside an emoji', async () => {
    const upstream = await upstreamServing(chatCompletion)
    const test = await startTestProfiler()
    const openai = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }))
    await openai.chat.completions.create(
      { model: 'gpt-4o-mini', messages },
      callContext({ conversationId: `${'c'.repeat(255)}😀😀`, tags: [`${'t'.repeat(127)}😀😀`] }),
    )
    const [event] = await test.events()
    // The server counts an emoji as one character: 256 and 128 are its limits.
    expect(event?.conversationId).toBe(`${'c'.repeat(255)}😀`)
    expect(event?.tags).toEqual([`${'t'.repeat(127)}😀`])
    await test.close()
  })

  it('records under a forced provider slug', async () => {
    const upstream = await upstreamServing(chatCompletion)
    const test = await startTestProfiler()
    const gateway = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }), {
      provider: 'azure-openai',
    })
    await gateway.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const [event] = await test.events()
    expect(event?.provider).toBe('azure-openai')
    await test.close()
  })

  it('records under the detected provider, and says what to pass, when the forced slug is one the server refuses', async () => {
    const upstream = await upstreamServing(chatCompletion)
    const test = await startTestProfiler()
    const given = ['Azure OpenAI', 'azure_OpenAI', '', 123]
    for (const provider of given) {
      const gateway = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }), {
        provider: provider as string,
        feature: 'gateway',
      })
      await gateway.chat.completions.create({ model: 'gpt-4o-mini', messages })
      // A client derived from it takes its options, the provider left out, without a second report.
      await gateway
        .withOptions({ timeout: 5_000 })
        .chat.completions.create({ model: 'gpt-4o-mini', messages })
    }
    const events = await test.events()
    expect(events).toHaveLength(2 * given.length)
    for (const event of events) expect(event).toMatchObject({ provider: 'openai', feature: 'gateway' })
    expect(test.profiler.stats()).toMatchObject({ sent: 2 * given.length, dropped: 0 })
    const reports = test.errors.filter((error) => error.code === 'INVALID_OPTIONS')
    expect(reports.map((error) => error.message.match(/; got (.*?), so/)?.[1])).toEqual([
      '"Azure OpenAI"',
      '"azure_OpenAI"',
      '""',
      'a number',
    ])
    expect(reports[0]?.message).toMatch(/^the provider option of wrap\(\) must be .* such as 'azure-openai'/)
    await test.close()
  })

  it('waits at shutdown for calls under way, and records them', async () => {
    const upstream = await startFakeHttpServer()
    servers.push(upstream)
    upstream.setDefault((_request, response) => {
      setTimeout(() => sendJson(response, 200, chatCompletion), 200)
    })
    const test = await startTestProfiler()
    const openai = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }))
    const calls = [1, 2, 3].map(() => openai.chat.completions.create({ model: 'gpt-4o-mini', messages }))
    // As a server's SIGTERM handler does: its requests under way finish while the profiler shuts down.
    while (upstream.requests.length < 3) await new Promise((resolve) => setTimeout(resolve, 5))
    await Promise.all([test.profiler.shutdown(), ...calls])
    expect(test.profiler.stats()).toMatchObject({ sent: 3, dropped: 0, queued: 0 })
    expect(await test.events()).toHaveLength(3)
    expect(test.errors).toEqual([])
    await test.close()
  })

  it('stops waiting for a call under way at shutdownTimeoutMs, and counts it as dropped once', async () => {
    const upstream = await startFakeHttpServer()
    servers.push(upstream)
    let answer: (() => void) | undefined
    upstream.setDefault((_request, response) => {
      answer = () => sendJson(response, 200, chatCompletion)
    })
    const test = await startTestProfiler({ shutdownTimeoutMs: 100 })
    const openai = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }))
    const call = openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    while (answer === undefined) await new Promise((resolve) => setTimeout(resolve, 5))
    await test.profiler.shutdown()
    // Counted when shutdown ends: the process may exit at once, and the call can no longer be recorded.
    expect(test.profiler.stats()).toMatchObject({ sent: 0, dropped: 1 })
    expect(test.errors.at(-1)).toMatchObject({ code: 'EVENTS_DROPPED', droppedEvents: 1 })
    expect(test.errors.at(-1)?.message).toContain('1 call(s) were still under way when shutdown() ended')
    answer()
    expect((await call).id).toBe(chatCompletion.id)
    // Its end does not count it again.
    expect(test.profiler.stats()).toMatchObject({ sent: 0, dropped: 1 })
    await test.close()
  })

  it('records calls that end while shutdown() waits, and counts a call that never ends as dropped', async () => {
    const upstream = await startFakeHttpServer()
    servers.push(upstream)
    upstream.setDefault((_request, response) => {
      // The first answer is taken with asResponse() and never parsed: its call never ends for the SDK.
      const delayMs = upstream.requests.length === 1 ? 0 : 100
      setTimeout(() => sendJson(response, 200, chatCompletion), delayMs)
    })
    const test = await startTestProfiler({ shutdownTimeoutMs: 2_000 })
    const openai = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }))
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages }).asResponse()
    const answered = openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    while (upstream.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5))
    const first = test.profiler.shutdown()
    // Every call waits for the same shutdown.
    expect(test.profiler.shutdown()).toBe(first)
    await Promise.all([first, answered])
    // The answer taken with asResponse() was billed, and can never be recorded now.
    expect(test.profiler.stats()).toMatchObject({ sent: 1, dropped: 1 })
    await test.close()
  })

  it('counts each call it cannot record once: one under way when shutdown() ended, and each made after', async () => {
    const upstream = await upstreamServing(chatCompletion)
    const test = await startTestProfiler({ shutdownTimeoutMs: 200 })
    const openai = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }))
    // Taken with asResponse() and never parsed: under way for the SDK until shutdown() ends.
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages }).asResponse()
    await test.profiler.shutdown()
    expect(test.profiler.stats()).toMatchObject({ sent: 0, dropped: 1 })
    // Made after shutdown(): each is counted and said so, whatever was counted before.
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    expect(test.profiler.stats()).toMatchObject({ sent: 0, dropped: 3 })
    expect(
      test.errors
        .filter((error) => error.code === 'EVENTS_DROPPED')
        .map((error) => error.message.slice(0, 50)),
    ).toEqual([
      '1 call(s) were still under way when shutdown() end',
      'a call ended after shutdown() stopped recording: i',
    ])
    await test.close()
  })

  it('says how long shutdown() took, of shutdownTimeoutMs, when it gives up on events it could not send', async () => {
    const upstream = await upstreamServing(chatCompletion)
    const test = await startTestProfiler({ shutdownTimeoutMs: 2_000, flushIntervalMs: 60_000 })
    // Down, and asking for more time than shutdown has: it sends once or twice, then gives up early.
    test.ingest.setDefault((_request, response) =>
      sendJson(response, 503, { error: { message: 'down' } }, { 'retry-after': '30' }),
    )
    const openai = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }))
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const startedAtMs = Date.now()
    await test.profiler.shutdown()
    const tookMs = Date.now() - startedAtMs
    const [timeout] = test.errors.filter((error) => error.code === 'SHUTDOWN_TIMEOUT')
    expect(timeout?.message).toMatch(
      /^shutdown\(\) gave up sending after \d+ ms, before its time limit \(shutdownTimeoutMs, 2000 ms\)/,
    )
    expect(Number(timeout?.message.match(/after (\d+) ms/)?.[1])).toBeLessThanOrEqual(tookMs)
    await test.close()
  })

  it('does not record after shutdown, and says so', async () => {
    const upstream = await upstreamServing(chatCompletion)
    const test = await startTestProfiler()
    const openai = test.profiler.wrap(new OpenAI({ apiKey: 'sk', baseURL: `${upstream.url}/v1` }))
    await test.profiler.shutdown()
    const result = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    expect(result.id).toBe(chatCompletion.id)
    expect(test.profiler.stats().dropped).toBe(1)
    expect(test.errors.at(-1)).toMatchObject({ code: 'EVENTS_DROPPED' })
    await test.close()
  })
})
