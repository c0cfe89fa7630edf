import Anthropic from '@anthropic-ai/sdk'
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from 'vitest'
import authenticationError from '../../../__fixtures__/anthropic/error-authentication.json' with {
  type: 'json',
}
import overloadedError from '../../../__fixtures__/anthropic/error-overloaded.json' with { type: 'json' }
import promptTooLongError from '../../../__fixtures__/anthropic/error-prompt-too-long.json' with {
  type: 'json',
}
import rateLimitError from '../../../__fixtures__/anthropic/error-rate-limit.json' with { type: 'json' }
import message from '../../../__fixtures__/anthropic/message.json' with { type: 'json' }
import fastMessage from '../../../__fixtures__/anthropic/message-fast-mode.json' with { type: 'json' }
import streamEvents from '../../../__fixtures__/anthropic/message-stream-events.json' with { type: 'json' }
import { callContext } from '../../../call-context.ts'
import { createProfiler } from '../../../create-profiler.ts'
import {
  type FakeHttpServer,
  type Responder,
  type SendSseOptions,
  sendJson,
  sendSse,
  startFakeHttpServer,
} from '../../../test-support/fake-http-server.ts'
import { startTestProfiler, type TestProfiler } from '../../../test-support/test-profiler.ts'

const json =
  (body: unknown, status = 200, headers: Record<string, string> = {}): Responder =>
  (_request, reply) =>
    sendJson(reply, status, body, headers)
const sse =
  (events: ReadonlyArray<Record<string, unknown>> = streamEvents, options: SendSseOptions = {}): Responder =>
  (_request, reply) =>
    sendSse(
      reply,
      events.map((event) => ({ event: String(event.type), data: event })),
      options,
    )
const messages = [{ role: 'user' as const, content: 'When does the contract renew?' }]
const params = { model: 'claude-sonnet-4-5', max_tokens: 1024, messages }
// Fast mode: the request asks for `speed: "fast"` under its beta header; the response's usage says
// which speed served it, in message_start's usage or, in a stream, a later message_delta's.
const fastParams = { ...params, model: 'claude-opus-4-6', speed: 'fast' as const }
const fastHeaders = { headers: { 'anthropic-beta': 'fast-mode-2026-02-01' } }
const [messageStart, ...restOfStream] = streamEvents
const startAt = (speed: 'fast' | null) => ({
  ...messageStart!,
  message: {
    ...messageStart!.message!,
    model: 'claude-opus-4-6',
    usage: { ...messageStart!.message!.usage, speed },
  },
})
const lastDeltaWith = (speed: 'fast' | null) =>
  restOfStream.map((event, index) =>
    index === restOfStream.length - 2 ? { ...event, usage: { ...event.usage, speed } } : event,
  )

let upstream: FakeHttpServer
let test: TestProfiler
let bare: Anthropic
let anthropic: Anthropic

beforeAll(async () => {
  upstream = await startFakeHttpServer()
})
afterAll(async () => {
  await upstream.close()
})
beforeEach(async () => {
  upstream.reset()
  test = await startTestProfiler()
  bare = new Anthropic({ apiKey: 'sk-ant-test', baseURL: upstream.url, maxRetries: 2 })
  anthropic = test.profiler.wrap(bare, { feature: 'contracts' })
  return () => test.close()
})

describe('wrapping an Anthropic client', () => {
  it('keeps the client type', () => {
    expectTypeOf(anthropic).toEqualTypeOf<Anthropic>()
  })

  it('records a message with cache reads and 5-minute / 1-hour cache writes', async () => {
    upstream.enqueue(json(message), json(message))
    const wrappedResult = await anthropic.messages.create(params)
    expect(wrappedResult).toEqual(await bare.messages.create(params))
    const [event, ...others] = await test.events()
    expect(others).toEqual([])
    expect(event).toMatchObject({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      requestedModel: 'claude-sonnet-4-5',
      feature: 'contracts',
      usage: {
        inputTokens: 21 + 12_000 + 3000,
        outputTokens: 393,
        cacheReadInputTokens: 12_000,
        cacheWriteInputTokens: 1000,
        cacheWrite1hInputTokens: 2000,
      },
      serviceTier: 'standard',
      status: 'success',
      streaming: false,
    })
  })

  it('records fast mode as the fast tier whatever the service tier, from messages and beta.messages', async () => {
    const served = (usage: Record<string, unknown>) =>
      json({ ...fastMessage, usage: { ...fastMessage.usage, ...usage } })
    upstream.enqueue(
      json(fastMessage),
      served({ service_tier: 'priority' }),
      served({ speed: 'standard' }),
      served({ speed: null, service_tier: 'priority' }),
      json(fastMessage),
    )
    await anthropic.messages.create(fastParams, fastHeaders)
    await anthropic.messages.create(fastParams, fastHeaders)
    await anthropic.messages.create(fastParams, fastHeaders)
    await anthropic.messages.create({ ...params, model: 'claude-opus-4-6' })
    await anthropic.beta.messages.create({ ...fastParams, betas: ['fast-mode-2026-02-01'] })
    expect(upstream.requests.map((request) => request.headers['anthropic-beta'])).toEqual([
      'fast-mode-2026-02-01',
      'fast-mode-2026-02-01',
      'fast-mode-2026-02-01',
      undefined,
      'fast-mode-2026-02-01',
    ])
    const events = await test.events()
    expect(events.map((event) => event.serviceTier)).toEqual(['fast', 'fast', 'standard', 'priority', 'fast'])
    expect(events[0]).toMatchObject({
      model: 'claude-opus-4-6',
      usage: { inputTokens: 1200 + 8000, cacheReadInputTokens: 8000, outputTokens: 250 },
    })
  })

  it('records a fast stream from the speed in message_start or in a later message_delta', async () => {
    upstream.enqueue(
      // A null speed in a delta is "not reported here": the fast of message_start stands.
      sse([startAt('fast'), ...lastDeltaWith(null)]),
      sse([startAt(null), ...lastDeltaWith('fast')]),
      sse([startAt(null), ...restOfStream]),
    )
    for (let round = 0; round < 3; round++) {
      for await (const _event of await anthropic.messages.create(
        { ...fastParams, stream: true },
        fastHeaders,
      )) {
        // read to the end
      }
    }
    const events = await test.events()
    expect(events.map((event) => [event.streaming, event.status, event.serviceTier])).toEqual([
      [true, 'success', 'fast'],
      [true, 'success', 'fast'],
      [true, 'success', 'standard'],
    ])
  })

  it('records a fast stream read through the messages.stream() helper', async () => {
    upstream.enqueue(sse([startAt('fast'), ...restOfStream]))
    const final = await anthropic.messages.stream(fastParams, fastHeaders).finalMessage()
    expect(final.usage.output_tokens).toBe(15)
    expect(await test.events()).toMatchObject([
      { streaming: true, status: 'success', model: 'claude-opus-4-6', serviceTier: 'fast' },
    ])
  })

  it('records a stream: input from message_start, output from the last message_delta', async () => {
    upstream.enqueue(sse(streamEvents, { delayMs: 2 }), sse())
    const stream = await anthropic.messages.create({ ...params, stream: true })
    const received: unknown[] = []
    for await (const event of stream) received.push(event)
    const bareReceived: unknown[] = []
    for await (const event of await bare.messages.create({ ...params, stream: true }))
      bareReceived.push(event)
    expect(received).toEqual(bareReceived)
    const [event] = await test.events()
    expect(event).toMatchObject({
      streaming: true,
      status: 'success',
      model: 'claude-sonnet-4-5-20250929',
      usage: { inputTokens: 472 + 2048, outputTokens: 15, cacheReadInputTokens: 2048 },
    })
    expect(event?.timeToFirstTokenMs).toBeGreaterThan(0)
  })

  it('counts the messages.stream() helper once and keeps its events', async () => {
    upstream.enqueue(sse())
    const texts: string[] = []
    const stream = anthropic.messages.stream(params).on('text', (text) => texts.push(text))
    const final = await stream.finalMessage()
    expect(texts.join('')).toBe('The contract renews on 1 March.')
    expect(final.usage.output_tokens).toBe(15)
    const events = await test.events()
    expect(upstream.requests).toHaveLength(1)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ streaming: true, usage: { outputTokens: 15 } })
  })

  it('records messages.stream() left once the end of the answer was in, and left before it', async () => {
    // The helper aborts its request when its caller leaves, then never reads on: what was already in
    // (message_delta and message_stop in the same write as content_block_stop) must still be recorded.
    upstream.enqueue(sse(streamEvents, { delayMs: 5, lastInOneWrite: 4 }))
    for await (const event of anthropic.messages.stream(params))
      if (event.type === 'content_block_stop') break
    upstream.enqueue(sse(streamEvents, { delayMs: 5, lastInOneWrite: 5 }))
    for await (const event of anthropic.messages.stream(params))
      if (event.type === 'content_block_delta') break
    expect(await test.events()).toMatchObject([
      { streaming: true, status: 'success', usage: { inputTokens: 472 + 2048, outputTokens: 15 } },
      { streaming: true, status: 'incomplete', error: { type: 'aborted' } },
    ])
  })

  it('keeps tee() and withResponse() working', async () => {
    upstream.enqueue(sse(), json(message, 200, { 'request-id': 'req_abc' }))
    const stream = await anthropic.messages.create({ ...params, stream: true })
    const [left, right] = stream.tee()
    const leftTypes: string[] = []
    for await (const event of left) leftTypes.push(event.type)
    const rightTypes: string[] = []
    for await (const event of right) rightTypes.push(event.type)
    expect(rightTypes).toEqual(leftTypes)

    const { data, response } = await anthropic.messages.create(params).withResponse()
    expect(data.id).toBe(message.id)
    expect(response.headers.get('request-id')).toBe('req_abc')
    expect(await test.events()).toHaveLength(2)
  })

  it('records an early break as incomplete, with the input known from message_start', async () => {
    upstream.enqueue(sse(streamEvents, { delayMs: 5 }))
    const stream = await anthropic.messages.create({ ...params, stream: true })
    for await (const event of stream) {
      if (event.type === 'content_block_delta') break
    }
    expect(stream.controller.signal.aborted).toBe(true)
    const [event] = await test.events()
    expect(event).toMatchObject({
      status: 'incomplete',
      error: { type: 'aborted' },
      usage: { inputTokens: 2520, outputTokens: 2 },
    })
  })

  it('records a stream aborted before its first read as incomplete', async () => {
    upstream.enqueue(sse(streamEvents, { delayMs: 5 }))
    const stream = await anthropic.messages.create({ ...params, stream: true })
    stream.controller.abort()
    expect(await test.events()).toMatchObject([
      { streaming: true, status: 'incomplete', error: { type: 'aborted' }, usage: { inputTokens: 0 } },
    ])
  })

  it('records an overloaded error inside a stream', async () => {
    upstream.enqueue(sse([...streamEvents.slice(0, 4), { type: 'error', error: overloadedError.error }]))
    const stream = await anthropic.messages.create({ ...params, stream: true })
    const consume = async () => {
      for await (const _event of stream) {
        // read until the error
      }
    }
    await expect(consume()).rejects.toThrow(/Overloaded/)
    const [event] = await test.events()
    expect(event).toMatchObject({
      status: 'incomplete',
      error: { type: 'overloaded', code: 'overloaded_error' },
    })
  })

  it('records the turns of a message thread, streamed or not, once each', async () => {
    upstream.enqueue(json(message), sse(streamEvents, { delayMs: 2 }))
    const thread = anthropic.beta.messages.thread({ model: params.model, max_tokens: params.max_tokens })
    await thread.send({ role: 'user', content: 'When does the contract renew?' })
    const texts: string[] = []
    const streamed = thread.stream({ role: 'user', content: 'And the notice period?' })
    streamed.on('text', (text) => texts.push(text))
    const final = await streamed.finalMessage()
    expect(texts.join('')).toBe('The contract renews on 1 March.')
    expect(final.usage.output_tokens).toBe(15)
    expect(upstream.requests).toHaveLength(2)
    const events = await test.events()
    expect(events).toMatchObject([
      { streaming: false, status: 'success', usage: { outputTokens: message.usage.output_tokens } },
      {
        streaming: true,
        status: 'success',
        model: 'claude-sonnet-4-5-20250929',
        usage: { inputTokens: 472 + 2048, outputTokens: 15, cacheReadInputTokens: 2048 },
      },
    ])
    expect(events[1]?.timeToFirstTokenMs).toBeGreaterThan(0)
  })

  it('records every round of a streaming tool runner, and an error event inside a thread stream', async () => {
    const toolUse = [
      {
        type: 'message_start',
        message: { ...streamEvents[0]!.message, usage: { input_tokens: 100, output_tokens: 1 } },
      },
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'renewal_date', input: {} },
      },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { output_tokens: 10 },
      },
      { type: 'message_stop' },
    ]
    upstream.enqueue(sse(toolUse), sse())
    const runner = anthropic.beta.messages.toolRunner({
      ...params,
      stream: true,
      tools: [
        {
          name: 'renewal_date',
          description: 'The contract renewal date',
          input_schema: { type: 'object', properties: {} },
          run: async () => '1 March',
        },
      ],
    })
    for await (const round of runner) {
      for await (const _event of round) {
        // read each round to its end
      }
    }
    expect(upstream.requests).toHaveLength(2)
    expect(await test.events()).toMatchObject([
      { streaming: true, status: 'success', usage: { inputTokens: 100, outputTokens: 10 } },
      { streaming: true, status: 'success', usage: { outputTokens: 15 } },
    ])

    upstream.enqueue(sse([...streamEvents.slice(0, 4), { type: 'error', error: overloadedError.error }]))
    const thread = anthropic.beta.messages.thread({ model: params.model, max_tokens: params.max_tokens })
    const broken = thread.stream({ role: 'user', content: 'Again?' })
    await expect(broken.finalMessage()).rejects.toThrow(/Overloaded/)
    const [failed] = (await test.events()).slice(2)
    expect(failed).toMatchObject({
      status: 'incomplete',
      error: { type: 'overloaded', code: 'overloaded_error' },
    })
  })

  // A tool runner's two rounds: the model asks for renewal_date, then answers.
  const renewalDateTools = [
    {
      name: 'renewal_date',
      description: 'The contract renewal date',
      input_schema: { type: 'object' as const, properties: {} },
      run: async () => '1 March',
    },
  ]
  const enqueueToolRounds = () =>
    upstream.enqueue(
      json({
        ...message,
        stop_reason: 'tool_use',
        content: [{ type: 'tool_use', id: 'toolu_1', name: 'renewal_date', input: {} }],
      }),
      json(message),
    )

  it('records a tool runner made inside withContext() with that context, wherever it is run', async () => {
    enqueueToolRounds()
    const runner = test.profiler.withContext({ userId: 'u42', tags: ['renewals'] }, () =>
      anthropic.beta.messages.toolRunner(
        { ...params, tools: renewalDateTools },
        { ...callContext({ conversationId: 'c7', tags: ['tools'] }) },
      ),
    )
    // Run outside the withContext() scope it was made in: its requests are sent only now.
    await runner.runUntilDone()
    expect(upstream.requests).toHaveLength(2)
    for (const request of upstream.requests) expect(request.body).not.toContain('acp')
    const context = { userId: 'u42', conversationId: 'c7', feature: 'contracts', tags: ['renewals', 'tools'] }
    expect(await test.events()).toMatchObject([context, context])
  })

  it('gives a tool runner made inside withContext() without a per-call option that context too', async () => {
    enqueueToolRounds()
    const runner = test.profiler.withContext({ userId: 'u7' }, () =>
      anthropic.beta.messages.toolRunner({ ...params, tools: renewalDateTools }),
    )
    await runner.runUntilDone()
    expect(await test.events()).toMatchObject([{ userId: 'u7' }, { userId: 'u7' }])
  })

  it("records a tool runner's numeric ids as strings, and reports what it leaves out once, not per round", async () => {
    enqueueToolRounds()
    const runner = anthropic.beta.messages.toolRunner({ ...params, tools: renewalDateTools }, {
      acp: { userId: 42, conversationId: { id: 7 } },
    } as never)
    await runner.runUntilDone()
    const events = await test.events()
    expect(events).toMatchObject([{ userId: '42' }, { userId: '42' }])
    for (const event of events) expect(event.conversationId).toBeUndefined()
    const reports = test.errors.filter((error) => error.code === 'INVALID_CONTEXT')
    expect(reports.map((error) => error.message)).toEqual([
      expect.stringMatching(
        /^the per-call context \(acp option\) of toolRunner\(\): a value .* left out .*: conversationId must be a string/,
      ),
    ])
  })

  it('strips the per-call option from countTokens, which it does not record, enabled or not', async () => {
    const counted = { input_tokens: 14 }
    upstream.enqueue(json(counted), json(counted), json(counted))
    const disabled = createProfiler({ enabled: false }).wrap(
      new Anthropic({ apiKey: 'sk-ant-test', baseURL: upstream.url, maxRetries: 0 }),
    )
    // The body shared with messages.create(), which takes the option too; Anthropic refuses unknown fields.
    const body = { model: params.model, messages, acp: { messageId: 'msg-1' } }
    expect(await anthropic.messages.countTokens(body as never, callContext({ userId: 'u' }))).toEqual(counted)
    await anthropic.beta.messages.countTokens(body as never)
    await disabled.messages.countTokens(body as never)
    expect(upstream.requests.map((request) => request.path)).toEqual(
      Array(3).fill('/v1/messages/count_tokens'),
    )
    expect(upstream.requests[1]?.headers['anthropic-beta']).toContain('token-counting')
    for (const request of upstream.requests) expect(request.json()).toEqual({ model: params.model, messages })
    expect(body.acp).toEqual({ messageId: 'msg-1' })
    expect(await test.events()).toEqual([])
  })

  it('classifies 529, 429 and prompt-too-long, counts retries and rethrows the same errors', async () => {
    upstream.enqueue(json(overloadedError, 529, { 'retry-after-ms': '1' }), json(message))
    await anthropic.messages.create(params)

    upstream.enqueue(
      ...Array.from({ length: 3 }, () => json(overloadedError, 529, { 'retry-after-ms': '1' })),
    )
    const overloaded = await anthropic.messages.create(params).catch((error) => error)
    expect(overloaded).toBeInstanceOf(Anthropic.InternalServerError)
    expect(overloaded.status).toBe(529)

    upstream.enqueue(json(promptTooLongError, 400))
    const tooLong = await anthropic.messages.create(params).catch((error) => error)
    expect(tooLong).toBeInstanceOf(Anthropic.BadRequestError)

    upstream.enqueue(json(authenticationError, 401))
    const auth = await anthropic.messages.create(params).catch((error) => error)
    expect(auth).toBeInstanceOf(Anthropic.AuthenticationError)

    upstream.enqueue(json(rateLimitError, 429, { 'retry-after-ms': '1' }), json(message))
    await anthropic.messages.create(params)

    const events = await test.events()
    expect(events).toMatchObject([
      { status: 'success', retryCount: 1 },
      {
        status: 'error',
        retryCount: 2,
        error: { type: 'overloaded', httpStatus: 529, code: 'overloaded_error' },
      },
      { status: 'error', error: { type: 'context_length', httpStatus: 400, code: 'invalid_request_error' } },
      { status: 'error', error: { type: 'authentication', httpStatus: 401 } },
      { status: 'success', retryCount: 1 },
    ])
  })

  it('records a user abort before the response', async () => {
    upstream.enqueue((_request, reply) => {
      setTimeout(() => sendJson(reply, 200, message), 200)
    })
    const controller = new AbortController()
    const pending = anthropic.messages.create(params, { signal: controller.signal })
    setTimeout(() => controller.abort(), 10)
    const error = await pending.catch((caught) => caught)
    expect(error).toBeInstanceOf(Anthropic.APIUserAbortError)
    const [event] = await test.events()
    expect(event).toMatchObject({ status: 'error', error: { type: 'aborted' } })
  })

  it('takes a per-call context and records beta.messages too', async () => {
    upstream.enqueue(json(message), json(message))
    await anthropic.messages.create(params, callContext({ conversationId: 'conv-9' }))
    await anthropic.beta.messages.create(params)
    const events = await test.events()
    expect(events).toMatchObject([{ conversationId: 'conv-9' }, { feature: 'contracts' }])
    expect(events[1]).not.toHaveProperty('conversationId')
  })

  it('records an error body answered with a 200 as a failed call, and returns it as the bare client does', async () => {
    const errorBody = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }
    upstream.enqueue(json(errorBody), json(errorBody))
    const wrapped = await anthropic.messages.create(params)
    const unwrapped = await bare.messages.create(params)
    expect(wrapped).toEqual(unwrapped)
    const [event] = await test.events()
    expect(event).toMatchObject({
      status: 'error',
      model: 'claude-sonnet-4-5',
      error: { type: 'overloaded', code: 'overloaded_error', message: 'Overloaded' },
    })

    // An error body that says nothing more is still a failed call, not a success without usage.
    upstream.enqueue(json({ type: 'error' }))
    expect(await anthropic.messages.create(params)).toEqual({ type: 'error' })
    const [bareError] = (await test.events()).slice(1)
    expect(bareError).toMatchObject({ status: 'error', error: { type: 'unknown', message: 'error' } })
  })

  it('records the calls made by the methods of a client subclass', async () => {
    class ContractBot extends Anthropic {
      renewal() {
        return this.messages.create(params)
      }
    }
    upstream.enqueue(json(message))
    const bot = test.profiler.wrap(new ContractBot({ apiKey: 'sk-ant-test', baseURL: upstream.url }), {
      feature: 'contract-bot',
    })
    await bot.renewal()
    const [event] = await test.events()
    expect(event).toMatchObject({ feature: 'contract-bot', status: 'success' })
  })
})

describe('counting the HTTP attempts of an Anthropic call', () => {
  const overloaded = () => json(overloadedError, 529, { 'retry-after-ms': '1' })

  it('counts retries with user headers of every shape and never lets its marker reach the given fetch', async () => {
    const seen: RequestInit[] = []
    const givenFetch = (input: string | URL | Request, init?: RequestInit) => {
      seen.push(init ?? {})
      return fetch(input, init)
    }
    const counted = test.profiler.wrap(
      new Anthropic({ apiKey: 'sk-ant-test', baseURL: upstream.url, maxRetries: 2, fetch: givenFetch }),
    )
    const shapes = [{ 'x-trace': 'trace-1' }, new Headers({ 'x-trace': 'trace-1' }), [['x-trace', 'trace-1']]]
    for (const headers of shapes) {
      upstream.enqueue(overloaded(), json(message))
      await counted.messages.create(params, { headers: headers as Record<string, string> })
    }
    upstream.enqueue(overloaded(), json(message))
    await counted.beta.messages.create(params, { headers: { 'x-trace': 'trace-1' } })

    expect(seen).toHaveLength(8)
    for (const init of seen) expect(Object.getOwnPropertySymbols(init)).toEqual([])
    expect(upstream.requests.map((request) => request.headers['x-trace'])).toEqual(Array(8).fill('trace-1'))
    const events = await test.events()
    expect(events.map((event) => event.retryCount)).toEqual([1, 1, 1, 1])
  })

  it('counts retries through client middleware that passes the request on', async () => {
    const middlewareSaw: string[] = []
    const withMiddleware = test.profiler.wrap(
      new Anthropic({
        apiKey: 'sk-ant-test',
        baseURL: upstream.url,
        maxRetries: 2,
        middleware: [
          async (request, next) => {
            middlewareSaw.push(request.url)
            return next({ ...request, headers: new Headers(request.headers) })
          },
        ],
      }),
    )
    upstream.enqueue(overloaded(), overloaded(), json(message))
    await withMiddleware.messages.create(params)
    expect(middlewareSaw).toHaveLength(3)
    expect(await test.events()).toMatchObject([{ status: 'success', retryCount: 2 }])
  })

  it('counts the retries of messages.stream() once, in its one event', async () => {
    upstream.enqueue(overloaded(), sse())
    const stream = anthropic.messages.stream(params)
    await stream.finalMessage()
    const events = await test.events()
    expect(events).toMatchObject([{ status: 'success', streaming: true, retryCount: 1 }])
  })

  it('returns the stream object the SDK made, with no properties added', async () => {
    upstream.enqueue(sse(), sse())
    const wrappedStream = await anthropic.messages.create({ ...params, stream: true })
    const bareStream = await bare.messages.create({ ...params, stream: true })
    expect(Object.keys(wrappedStream).sort()).toEqual(Object.keys(bareStream).sort())
    for await (const _event of wrappedStream) {
      // drain
    }
    for await (const _event of bareStream) {
      // drain
    }
    expect(await test.events()).toMatchObject([{ status: 'success', streaming: true }])
  })

  it('records a call whose body breaks after the status line, and rethrows as unwrapped', async () => {
    const truncated: Responder = (_request, reply) => {
      reply.writeHead(200, { 'content-type': 'application/json' })
      reply.end('{"id":"msg_1","type":"message","usage":')
    }
    upstream.enqueue(truncated, truncated)
    const wrappedError = await anthropic.messages.create(params).catch((caught: unknown) => caught)
    const bareError = await bare.messages.create(params).catch((caught: unknown) => caught)
    expect(wrappedError).toBeInstanceOf(SyntaxError)
    expect((wrappedError as Error).constructor).toBe((bareError as Error).constructor)
    expect(await test.events()).toMatchObject([{ status: 'error', requestedModel: 'claude-sonnet-4-5' }])
  })

  it('does not count the time a response waits for the caller to await it', async () => {
    upstream.enqueue(json(message))
    const pending = anthropic.messages.create(params)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    await pending
    const [event] = await test.events()
    expect(event?.latencyMs).toBeLessThan(1000)
  })

  it('does not count the time a stream waits for the caller to start reading it, parsed by the SDK or not', async () => {
    const wait = () => new Promise((resolve) => setTimeout(resolve, 300))
    upstream.enqueue(sse(), sse())
    // The whole answer is there at once; the caller reads it 300 ms after it got the stream.
    const stream = await anthropic.messages.create({ ...params, stream: true })
    await wait()
    for await (const _event of stream) {
      // drain
    }
    // A message thread parses the raw response itself, from the promise's `_responseProps()`.
    const request = anthropic.beta.messages.create({ ...params, stream: true })
    const { response } = await (
      request as unknown as { _responseProps(): Promise<{ response: Response }> }
    )._responseProps()
    await wait()
    await new Response(response.body).text()
    const events = await test.events()
    expect(events).toHaveLength(2)
    for (const event of events) {
      expect(event).toMatchObject({ status: 'success', streaming: true, usage: { outputTokens: 15 } })
      expect(event.timeToFirstTokenMs).toBeGreaterThanOrEqual(0)
      expect(event.timeToFirstTokenMs).toBeLessThan(250)
      expect(event.latencyMs).toBeLessThan(300)
    }
  })
})
