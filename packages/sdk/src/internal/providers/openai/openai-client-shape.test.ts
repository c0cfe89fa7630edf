import { AsyncLocalStorage } from 'node:async_hooks'
import OpenAI, { AzureOpenAI } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import chatCompletion from '../../../__fixtures__/openai/chat-completion.json' with { type: 'json' }
import chunks from '../../../__fixtures__/openai/chat-completion-chunks.json' with { type: 'json' }
import reasoningCompletion from '../../../__fixtures__/openai/chat-completion-reasoning.json' with {
  type: 'json',
}
import toolCallCompletion from '../../../__fixtures__/openai/chat-completion-tool-call.json' with {
  type: 'json',
}
import embedding from '../../../__fixtures__/openai/embedding.json' with { type: 'json' }
import contextLengthError from '../../../__fixtures__/openai/error-context-length.json' with { type: 'json' }
import invalidKeyError from '../../../__fixtures__/openai/error-invalid-api-key.json' with { type: 'json' }
import rateLimitError from '../../../__fixtures__/openai/error-rate-limit.json' with { type: 'json' }
import response from '../../../__fixtures__/openai/response.json' with { type: 'json' }
import responseEvents from '../../../__fixtures__/openai/response-stream-events.json' with { type: 'json' }
import { callContext } from '../../../call-context.ts'
import { createProfiler } from '../../../create-profiler.ts'
import {
  type FakeHttpServer,
  type Responder,
  sendJson,
  sendSse,
  startFakeHttpServer,
} from '../../../test-support/fake-http-server.ts'
import {
  manyChatChunks,
  openAiChatStream,
  openAiResponsesStream,
} from '../../../test-support/openai-upstream.ts'
import { startTestProfiler, type TestProfiler } from '../../../test-support/test-profiler.ts'

const messages = [{ role: 'user' as const, content: 'When was my refund issued?' }]
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  ((_request, reply) => sendJson(reply, status, body, headers)) satisfies Parameters<
    FakeHttpServer['enqueue']
  >[0]

let upstream: FakeHttpServer
let test: TestProfiler
let bare: OpenAI
let openai: OpenAI

beforeAll(async () => {
  upstream = await startFakeHttpServer()
})
afterAll(async () => {
  await upstream.close()
})
beforeEach(async () => {
  upstream.reset()
  test = await startTestProfiler()
  bare = new OpenAI({ apiKey: 'sk-test', baseURL: `${upstream.url}/v1`, maxRetries: 2 })
  openai = test.profiler.wrap(bare, { feature: 'support-chat', tags: ['team:billing'] })
  return () => test.close()
})

describe('wrapping an OpenAI client', () => {
  it('keeps the client type', () => {
    expectTypeOf(openai).toEqualTypeOf<OpenAI>()
    expectTypeOf(openai.chat.completions.create).toEqualTypeOf<OpenAI['chat']['completions']['create']>()
  })

  it('records a chat completion with cached tokens and returns exactly what the bare client returns', async () => {
    upstream.enqueue(json(chatCompletion), json(chatCompletion))
    const wrappedResult = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const bareResult = await bare.chat.completions.create({ model: 'gpt-4o-mini', messages })
    expect(wrappedResult).toEqual(bareResult)
    expect(wrappedResult._request_id).toBe(bareResult._request_id)

    const [event, ...others] = await test.events()
    expect(others).toEqual([])
    expect(event).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      requestedModel: 'gpt-4o-mini',
      feature: 'support-chat',
      tags: ['team:billing'],
      usage: { inputTokens: 2148, outputTokens: 412, cacheReadInputTokens: 1920 },
      serviceTier: 'standard',
      streaming: false,
      status: 'success',
      retryCount: 0,
    })
    expect(event?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/)
    expect(Date.parse(event?.timestamp ?? '')).toBeGreaterThan(Date.now() - 60_000)
    expect(event?.latencyMs).toBeGreaterThanOrEqual(0)
  })

  it('records reasoning tokens, a long prompt and the flex tier', async () => {
    upstream.enqueue(json(reasoningCompletion))
    await openai.chat.completions.create({ model: 'o4-mini', messages, service_tier: 'flex' })
    const [event] = await test.events()
    expect(event).toMatchObject({
      model: 'o4-mini-2025-04-16',
      usage: { inputTokens: 131_072, outputTokens: 2410, reasoningTokens: 2304 },
      serviceTier: 'flex',
    })
  })

  it('records Fast mode as the priority tier and Ultrafast as its own, as the response reports them', async () => {
    upstream.enqueue(
      json({ ...chatCompletion, service_tier: 'fast' }),
      json({ ...chatCompletion, service_tier: 'ultrafast' }),
      json({ ...chatCompletion, service_tier: 'default' }),
    )
    // The request asked for Ultrafast; the response says which tier served it (and was billed).
    await openai.chat.completions.create({ model: 'gpt-6-astra', messages, service_tier: 'fast' as never })
    await openai.chat.completions.create({
      model: 'gpt-6-astra',
      messages,
      service_tier: 'ultrafast' as never,
    })
    await openai.chat.completions.create({
      model: 'gpt-6-astra',
      messages,
      service_tier: 'ultrafast' as never,
    })
    const events = await test.events()
    expect(events.map((event) => event.serviceTier)).toEqual(['priority', 'ultrafast', 'standard'])
  })

  it('streams chat: adds include_usage, hides the usage chunk, and records usage and time to first token', async () => {
    upstream.enqueue(openAiChatStream(chunks, { delayMs: 2 }))
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
    const received: unknown[] = []
    for await (const chunk of stream) received.push(chunk)

    expect(upstream.requests[0]?.json()).toMatchObject({ stream_options: { include_usage: true } })
    expect(received).toHaveLength(5)
    // The `usage: null` that include_usage adds to every chunk reads and serialises as if it were absent.
    for (const chunk of received) {
      expect((chunk as { usage?: unknown }).usage).toBeUndefined()
      expect(JSON.parse(JSON.stringify(chunk))).not.toHaveProperty('usage')
    }
    const [event] = await test.events()
    expect(event).toMatchObject({
      streaming: true,
      status: 'success',
      model: 'gpt-4o-mini-2024-07-18',
      usage: { inputTokens: 1536, outputTokens: 6, cacheReadInputTokens: 1024 },
    })
    expect(event?.timeToFirstTokenMs).toBeGreaterThan(0)
    expect(event?.timeToFirstTokenMs).toBeLessThanOrEqual(event?.latencyMs ?? 0)
  })

  it('passes the usage chunk through when the caller asked for it', async () => {
    upstream.enqueue(openAiChatStream())
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    })
    const received: Array<{ usage?: unknown }> = []
    for await (const chunk of stream) received.push(chunk)
    expect(received).toHaveLength(6)
    expect(received.at(-1)?.usage).toMatchObject({ prompt_tokens: 1536 })
    expect(received[0]).toHaveProperty('usage', null)
    expect(await test.events()).toHaveLength(1)
  })

  it('keeps tee() and toReadableStream() working and records once', async () => {
    upstream.enqueue(openAiChatStream(), openAiChatStream())
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
    const [left, right] = stream.tee()
    const leftChunks: unknown[] = []
    const rightChunks: unknown[] = []
    for await (const chunk of left) leftChunks.push(chunk)
    for await (const chunk of right) rightChunks.push(chunk)
    expect(leftChunks).toEqual(rightChunks)
    expect(leftChunks).toHaveLength(5)

    const second = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
    const text = await new Response(second.toReadableStream() as ReadableStream).text()
    expect(text.trim().split('\n')).toHaveLength(5)

    const events = await test.events()
    expect(events).toHaveLength(2)
    expect(events.every((event) => event.status === 'success' && event.usage.inputTokens === 1536)).toBe(true)
  })

  it('records an early break as incomplete and aborts the request as the bare client does', async () => {
    upstream.enqueue(openAiChatStream(chunks, { delayMs: 5 }))
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
    for await (const chunk of stream) {
      expect(chunk.choices).toBeDefined()
      break
    }
    expect(stream.controller.signal.aborted).toBe(true)
    const [event] = await test.events()
    expect(event).toMatchObject({ status: 'incomplete', streaming: true, error: { type: 'aborted' } })
    expect(event?.model).toBe('gpt-4o-mini-2024-07-18')
  })

  it.each([
    ['the profiler', undefined],
    ['the caller', { include_usage: true }],
  ])(
    'records the usage of a stream the caller leaves at the chunk that finished the answer (usage asked by %s)',
    async (_who, streamOptions) => {
      upstream.enqueue(openAiChatStream(chunks, { delayMs: 5 }))
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        stream: true,
        ...(streamOptions ? { stream_options: streamOptions } : {}),
      })
      const received: unknown[] = []
      for await (const chunk of stream) {
        received.push(chunk)
        if (chunk.choices[0]?.finish_reason) break
      }
      // Every chunk of the answer; the usage-only chunk after them was read for the record.
      expect(received).toHaveLength(5)
      const [event] = await test.events()
      expect(event).toMatchObject({ status: 'success', usage: { inputTokens: 1536, outputTokens: 6 } })
    },
  )

  it('reads the usage for the record only once every answer of an n > 1 stream has finished', async () => {
    const [first] = chunks
    const usageChunk = chunks.at(-1)!
    const chunk = (index: number, delta: Record<string, unknown>, finishReason: string | null = null) => ({
      ...first,
      choices: [{ index, delta, logprobs: null, finish_reason: finishReason }],
    })
    const twoAnswers = [
      chunk(0, { role: 'assistant', content: 'Yes' }),
      chunk(1, { role: 'assistant', content: 'No' }),
      chunk(0, {}, 'stop'),
      chunk(1, { content: ', not yet' }),
      chunk(1, {}, 'stop'),
      usageChunk,
    ]
    const readUntilFinishes = async (finishes: number) => {
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        stream: true,
        n: 2,
      })
      const received: unknown[] = []
      let finished = 0
      for await (const part of stream) {
        received.push(part)
        if (part.choices[0]?.finish_reason && ++finished === finishes) break
      }
      return received
    }
    // Left when the first answer finished: the second was still coming, so the call was cut short.
    upstream.enqueue(openAiChatStream(twoAnswers, { delayMs: 5 }))
    expect(await readUntilFinishes(1)).toHaveLength(3)
    // Left when both had finished: the answer is whole and the usage chunk that follows is read.
    upstream.enqueue(openAiChatStream(twoAnswers, { delayMs: 5 }))
    expect(await readUntilFinishes(2)).toHaveLength(5)
    expect(await test.events()).toMatchObject([
      { status: 'incomplete', error: { type: 'aborted' } },
      { status: 'success', usage: { inputTokens: 1536, outputTokens: 6 } },
    ])
  })

  it('leaves a stream at once when the usage chunk after the finish does not come, recording it incomplete', async () => {
    // The finishing chunk, then nothing: the connection stays open without another byte.
    const finished = chunks.slice(0, 5)
    upstream.enqueue((_request, reply) => {
      reply.writeHead(200, { 'content-type': 'text/event-stream' })
      for (const chunk of finished) reply.write(`data: ${JSON.stringify(chunk)}\n\n`)
    })
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
    for await (const chunk of stream) if (chunk.choices[0]?.finish_reason) break
    // The caller has left; the read for the record is abandoned after a second, and the request
    // aborted, as a bare break does. Flushing waits for it.
    const [event] = await test.events()
    expect(stream.controller.signal.aborted).toBe(true)
    expect(event).toMatchObject({ status: 'incomplete', error: { type: 'aborted' } })
  })

  it('leaves a stream at once even when its body does not end on abort (a stand-in fetch)', async () => {
    const encoder = new TextEncoder()
    const finished = chunks.slice(0, 5)
    // A body that gives the finishing chunk, then neither ends nor heeds the request's signal.
    const stubbornFetch = async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            for (const chunk of finished)
              controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`))
          },
        }),
        { status: 200, headers: { 'content-type': 'text/event-stream' } },
      )
    const client = test.profiler.wrap(new OpenAI({ apiKey: 'sk-test', fetch: stubbornFetch, maxRetries: 0 }))
    const received: unknown[] = []
    for await (const chunk of await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    })) {
      received.push(chunk)
      if (chunk.choices[0]?.finish_reason) break
    }
    expect(received).toHaveLength(5)
    const [event] = await test.events()
    expect(event).toMatchObject({ status: 'incomplete', error: { type: 'aborted' } })
  })

  it('records an aborted stream (AbortController) as incomplete', async () => {
    upstream.enqueue(openAiChatStream(chunks, { delayMs: 20 }))
    const controller = new AbortController()
    const stream = await openai.chat.completions.create(
      { model: 'gpt-4o-mini', messages, stream: true },
      { signal: controller.signal },
    )
    const received: unknown[] = []
    for await (const chunk of stream) {
      received.push(chunk)
      if (received.length === 2) controller.abort()
    }
    expect(received.length).toBeLessThan(5)
    const [event] = await test.events()
    expect(event).toMatchObject({ status: 'incomplete', error: { type: 'aborted' } })
  })

  it('classifies an error event inside a chat stream as the same body answered with a 200', async () => {
    // Gateways (OpenRouter, …) put the HTTP status in a numeric `code`; OpenAI sends its string code.
    const bodies = [
      { error: { code: 429, message: 'Rate limit exceeded: free-models-per-min.' } },
      { error: { code: 502, message: 'Provider returned error' } },
      { error: { code: 'rate_limit_exceeded', message: 'Rate limit reached' } },
    ]
    const [first] = chunks
    for (const body of bodies) {
      upstream.enqueue((_request, reply) => sendSse(reply, [{ data: first }, { data: body }]))
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
      const consume = async () => {
        for await (const _chunk of stream) {
          // read up to the error
        }
      }
      await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError)
    }
    expect(await test.events()).toMatchObject([
      {
        status: 'incomplete',
        error: { type: 'rate_limit', httpStatus: 429, message: 'Rate limit exceeded: free-models-per-min.' },
      },
      { status: 'incomplete', error: { type: 'server_error', httpStatus: 502 } },
      { status: 'incomplete', error: { type: 'rate_limit', code: 'rate_limit_exceeded' } },
    ])
  })

  it('records a stream that the server cuts off as incomplete', async () => {
    upstream.enqueue(openAiChatStream(chunks, { delayMs: 5, destroyAfter: 2 }))
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
    const consume = async () => {
      for await (const _chunk of stream) {
        // read everything
      }
    }
    await expect(consume()).rejects.toThrow()
    const [event] = await test.events()
    expect(event).toMatchObject({ status: 'incomplete', streaming: true })
  })

  it('keeps withResponse() working', async () => {
    upstream.enqueue(json(chatCompletion, 200, { 'x-request-id': 'req_123' }))
    const {
      data,
      response: raw,
      request_id,
    } = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse()
    expect(data.id).toBe(chatCompletion.id)
    expect(raw.status).toBe(200)
    expect(request_id).toBe('req_123')
    expect(await test.events()).toHaveLength(1)
  })

  it('records the Responses API, streaming and not', async () => {
    upstream.enqueue(json(response), openAiResponsesStream(responseEvents, { delayMs: 1 }))
    const result = await openai.responses.create({
      model: 'gpt-5-mini',
      input: 'How many invoices are overdue?',
    })
    expect(result.output_text).toBe('Three invoices are overdue.')
    const stream = await openai.responses.create({ model: 'gpt-5-mini', input: 'Again', stream: true })
    const types: string[] = []
    for await (const event of stream) types.push(event.type)
    expect(types).toHaveLength(responseEvents.length)

    const events = await test.events()
    const usage = { inputTokens: 5230, outputTokens: 1187, cacheReadInputTokens: 4096, reasoningTokens: 1024 }
    expect(events).toMatchObject([
      { model: 'gpt-5-mini-2025-08-07', requestedModel: 'gpt-5-mini', streaming: false, usage },
      { model: 'gpt-5-mini-2025-08-07', streaming: true, status: 'success', usage },
    ])
    expect(events[1]?.timeToFirstTokenMs).toBeGreaterThan(0)
  })

  it('records the beta Responses API and responses.compact, each billed call once', async () => {
    const compacted = {
      id: 'cmp_1',
      object: 'response.compaction',
      created_at: 1763889600,
      output: [],
      usage: {
        input_tokens: 5000,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 400,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 5400,
      },
    }
    upstream.enqueue(
      json(response),
      openAiResponsesStream(responseEvents, { delayMs: 1 }),
      json(compacted),
      json(compacted),
    )
    await openai.beta.responses.create({ model: 'gpt-5-mini', input: 'Beta' })
    for await (const _event of await openai.beta.responses.create({
      model: 'gpt-5-mini',
      input: 'Beta',
      stream: true,
    })) {
      // drain
    }
    const result = await openai.responses.compact({ model: 'gpt-5.6-sol' })
    expect(result.id).toBe('cmp_1')
    await openai.beta.responses.compact({ model: 'gpt-5.6-sol' })
    const events = await test.events()
    expect(upstream.requests).toHaveLength(4)
    expect(events).toMatchObject([
      { model: 'gpt-5-mini-2025-08-07', streaming: false, status: 'success' },
      { model: 'gpt-5-mini-2025-08-07', streaming: true, status: 'success' },
      { model: 'gpt-5.6-sol', status: 'success', usage: { inputTokens: 5000, outputTokens: 400 } },
      { model: 'gpt-5.6-sol', status: 'success', usage: { inputTokens: 5000, outputTokens: 400 } },
    ])
  })

  it('records a background response, queued with no usage yet, as incomplete rather than a $0 success', async () => {
    upstream.enqueue(json({ ...response, status: 'queued', background: true, usage: null, output: [] }))
    const queued = await openai.responses.create({
      model: 'o3-pro',
      input: 'Research this',
      background: true,
    })
    expect(queued.status).toBe('queued')
    const [event] = await test.events()
    expect(event).toMatchObject({ status: 'incomplete', usage: { inputTokens: 0, outputTokens: 0 } })
  })

  it('records a long stream of 100 chunks once', async () => {
    upstream.enqueue(openAiChatStream(manyChatChunks(100)))
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
    let count = 0
    for await (const _chunk of stream) count++
    expect(count).toBe(102)
    const events = await test.events()
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ status: 'success', usage: { inputTokens: 1536 } })
  })

  it('records failed, errored and abandoned Responses API streams', async () => {
    const created = responseEvents.slice(0, 2)
    const failed = {
      type: 'response.failed',
      sequence_number: 2,
      response: {
        ...response,
        status: 'failed',
        error: { code: 'rate_limit_exceeded', message: 'Slow down' },
      },
    }
    const errorEvent = {
      type: 'error',
      sequence_number: 2,
      code: 'server_error',
      message: 'The server had an error',
    }
    // A gateway's error event carries the HTTP status in a numeric `code`.
    const gatewayErrorEvent = { type: 'error', sequence_number: 2, code: 429, message: 'Rate limit exceeded' }
    upstream.enqueue(
      openAiResponsesStream([...created, failed]),
      openAiResponsesStream([...created, errorEvent]),
      openAiResponsesStream([...created, gatewayErrorEvent]),
      openAiResponsesStream(responseEvents, { delayMs: 5 }),
      openAiResponsesStream(created),
    )
    for (let index = 0; index < 3; index++) {
      for await (const _event of await openai.responses.create({
        model: 'gpt-5-mini',
        input: 'x',
        stream: true,
      })) {
        // drain
      }
    }
    for await (const event of await openai.responses.create({
      model: 'gpt-5-mini',
      input: 'x',
      stream: true,
    })) {
      if (event.type === 'response.output_text.delta') break
    }
    for await (const _event of await openai.responses.create({
      model: 'gpt-5-mini',
      input: 'x',
      stream: true,
    })) {
      // a stream that ends without a terminal event
    }
    const events = await test.events()
    expect(events).toMatchObject([
      { status: 'error', error: { type: 'rate_limit', code: 'rate_limit_exceeded' } },
      { status: 'incomplete', error: { type: 'server_error', code: 'server_error' } },
      { status: 'incomplete', error: { type: 'rate_limit', httpStatus: 429 } },
      { status: 'incomplete', error: { type: 'aborted' } },
      { status: 'incomplete', model: 'gpt-5-mini-2025-08-07' },
    ])
  })

  it('records a failed Responses API response', async () => {
    upstream.enqueue(
      json({
        ...response,
        status: 'failed',
        error: { code: 'server_error', message: 'The model failed to generate a response.' },
        usage: null,
      }),
    )
    await openai.responses.create({ model: 'gpt-5-mini', input: 'x' })
    const [event] = await test.events()
    expect(event).toMatchObject({ status: 'error', error: { type: 'server_error', code: 'server_error' } })
  })

  it('records embeddings', async () => {
    upstream.enqueue(json(embedding))
    const result = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] })
    expect(result.data).toHaveLength(2)
    const [event] = await test.events()
    expect(event).toMatchObject({
      model: 'text-embedding-3-small',
      usage: { inputTokens: 17, outputTokens: 0 },
    })
  })

  it('counts helpers once: parse, stream, runTools and responses.stream', async () => {
    upstream.enqueue(json(chatCompletion))
    const parsed = await openai.chat.completions.parse({ model: 'gpt-4o-mini', messages })
    expect(parsed.choices[0]?.message.parsed).toBeNull()

    upstream.enqueue(openAiChatStream())
    const helperStream = openai.chat.completions.stream({ model: 'gpt-4o-mini', messages })
    const final = await helperStream.finalChatCompletion()
    expect(final.choices[0]?.message.content).toBe('Your refund was issued.')

    upstream.enqueue(json(toolCallCompletion), json(chatCompletion))
    const runner = openai.chat.completions.runTools({
      model: 'gpt-4o-mini',
      messages,
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_order_status',
            description: 'Looks up an order',
            parameters: { type: 'object', properties: { orderId: { type: 'string' } } },
            function: (args: { orderId: string }) => ({ orderId: args.orderId, status: 'refunded' }),
            parse: JSON.parse,
          },
        },
      ],
    })
    expect(await runner.finalContent()).toBe('Your refund was issued on 3 November.')

    upstream.enqueue(openAiResponsesStream(responseEvents))
    const responseStream = openai.responses.stream({ model: 'gpt-5-mini', input: 'x' })
    const finalResponse = await responseStream.finalResponse()
    expect(finalResponse.id).toBe(response.id)

    const events = await test.events()
    expect(upstream.requests).toHaveLength(5)
    expect(events).toHaveLength(5)
    expect(events.map((event) => [event.streaming, event.usage.inputTokens])).toEqual([
      [false, 2148],
      [true, 1536],
      [false, 88],
      [false, 2148],
      [true, 5230],
    ])
  })

  it('records the stream helpers left once the end of the answer was in, and left before it', async () => {
    // A helper aborts its request when its caller leaves, then never reads on: what was already in (the
    // usage chunk, `response.completed`, in the same write as the chunk the caller left at) must count.
    upstream.enqueue(openAiChatStream(chunks, { delayMs: 5, lastInOneWrite: 3 }))
    for await (const chunk of openai.chat.completions.stream({ model: 'gpt-4o-mini', messages })) {
      if (chunk.choices[0]?.finish_reason) break
    }
    upstream.enqueue(openAiResponsesStream(responseEvents, { delayMs: 5, lastInOneWrite: 2 }))
    let itemsDone = 0
    for await (const event of openai.responses.stream({ model: 'gpt-5-mini', input: 'x' })) {
      if (event.type === 'response.output_item.done' && ++itemsDone === 2) break
    }
    upstream.enqueue(openAiResponsesStream(responseEvents, { delayMs: 5, lastInOneWrite: 3 }))
    for await (const event of openai.responses.stream({ model: 'gpt-5-mini', input: 'x' })) {
      if (event.type === 'response.output_text.done') break
    }
    // A compatible server that also sends a usage-only chunk first, with running totals: the call ends
    // with the stream, not there.
    const [first, ...rest] = chunks
    const early = { ...chunks[5], usage: { prompt_tokens: 1536, completion_tokens: 0, total_tokens: 1536 } }
    upstream.enqueue(openAiChatStream([first, early, ...rest] as typeof chunks))
    for await (const _chunk of await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    })) {
      // read to the end
    }
    // A server that ignores include_usage: after the abort, the helper's read of `[DONE]` never ends.
    upstream.enqueue(openAiChatStream(chunks.slice(0, 5), { delayMs: 5, lastInOneWrite: 2 }))
    for await (const chunk of openai.chat.completions.stream({ model: 'gpt-4o-mini', messages })) {
      if (chunk.choices[0]?.finish_reason) break
    }
    expect(await test.events()).toMatchObject([
      { streaming: true, status: 'success', usage: { inputTokens: 1536 } },
      { streaming: true, status: 'success', usage: { inputTokens: 5230 } },
      { streaming: true, status: 'incomplete', error: { type: 'aborted' } },
      { streaming: true, status: 'success', usage: { inputTokens: 1536, outputTokens: 6 } },
      { streaming: true, status: 'incomplete', error: { type: 'aborted' } },
    ])
  })

  it('counts a 429 then success as one call with one retry', async () => {
    upstream.enqueue(json(rateLimitError, 429, { 'retry-after-ms': '5' }), json(chatCompletion))
    const result = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    expect(result.id).toBe(chatCompletion.id)
    expect(upstream.requests).toHaveLength(2)
    const [event, ...others] = await test.events()
    expect(others).toEqual([])
    expect(event).toMatchObject({ status: 'success', retryCount: 1 })
  })

  it('records failures with their classification and rethrows the original error', async () => {
    upstream.enqueue(json(invalidKeyError, 401))
    const authError = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages }).catch((e) => e)
    expect(authError).toBeInstanceOf(OpenAI.AuthenticationError)
    expect(authError.status).toBe(401)
    expect(authError.code).toBe('invalid_api_key')

    upstream.enqueue(json(contextLengthError, 400))
    const lengthError = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .catch((e) => e)
    expect(lengthError).toBeInstanceOf(OpenAI.BadRequestError)

    upstream.enqueue(...Array.from({ length: 3 }, () => json(rateLimitError, 429, { 'retry-after-ms': '1' })))
    const limitError = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .catch((e) => e)
    expect(limitError).toBeInstanceOf(OpenAI.RateLimitError)

    const events = await test.events()
    expect(events).toMatchObject([
      {
        status: 'error',
        model: 'gpt-4o-mini',
        error: { type: 'authentication', httpStatus: 401, code: 'invalid_api_key' },
        usage: { inputTokens: 0, outputTokens: 0 },
      },
      {
        status: 'error',
        error: { type: 'context_length', httpStatus: 400, code: 'context_length_exceeded' },
      },
      { status: 'error', retryCount: 2, error: { type: 'rate_limit', httpStatus: 429 } },
    ])
  })

  it('records connection failures', async () => {
    const offline = test.profiler.wrap(
      new OpenAI({ apiKey: 'sk', baseURL: 'http://127.0.0.1:1/v1', maxRetries: 0 }),
    )
    const error = await offline.chat.completions.create({ model: 'gpt-4o-mini', messages }).catch((e) => e)
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError)
    const [event] = await test.events()
    expect(event).toMatchObject({ status: 'error', error: { type: 'connection' } })
  })

  it('strips the per-call option from responses.inputTokens.count, which it does not record, enabled or not', async () => {
    const counted = { object: 'response.input_tokens', input_tokens: 5 }
    upstream.enqueue(json(counted), json(counted), json(counted))
    const disabled = createProfiler({ enabled: false }).wrap(
      new OpenAI({ apiKey: 'sk-test', baseURL: `${upstream.url}/v1`, maxRetries: 0 }),
    )
    // The body shared with responses.create(), which takes the option too.
    const body = { model: 'gpt-4o-mini', input: 'When was my refund issued?', acp: { messageId: 'msg-1' } }
    const answer = await openai.responses.inputTokens.count(body as never, callContext({ userId: 'u' }))
    expect(answer).toMatchObject({ input_tokens: 5 })
    await openai.beta.responses.inputTokens.count(body as never)
    await disabled.responses.inputTokens.count(body as never)
    expect(upstream.requests).toHaveLength(3)
    for (const request of upstream.requests) {
      expect(request.json()).toEqual({ model: 'gpt-4o-mini', input: 'When was my refund issued?' })
    }
    expect(body.acp).toEqual({ messageId: 'msg-1' })
    expect(await test.events()).toEqual([])
  })

  it('applies wrap, withContext and per-call context, and strips the per-call option', async () => {
    upstream.enqueue(json(chatCompletion), json(chatCompletion))
    await test.profiler.withContext({ userId: 'user-1', conversationId: 'conv-1', tags: ['beta'] }, () =>
      openai.chat.completions.create(
        { model: 'gpt-4o-mini', messages },
        callContext({ messageId: 'msg-1', feature: 'refunds', metadata: { plan: 'pro' } }),
      ),
    )
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      acp: { messageId: 'msg-2' },
    } as never)

    expect(upstream.requests[1]?.json()).not.toHaveProperty('acp')
    expect(JSON.stringify(upstream.requests[0]?.headers)).not.toContain('msg-1')
    const events = await test.events()
    expect(events[0]).toMatchObject({
      feature: 'refunds',
      userId: 'user-1',
      conversationId: 'conv-1',
      messageId: 'msg-1',
      tags: ['team:billing', 'beta'],
      metadata: { plan: 'pro' },
    })
    expect(events[1]).toMatchObject({ feature: 'support-chat', messageId: 'msg-2' })
    expect(events[1]).not.toHaveProperty('userId')
  })

  it('never mixes the context of concurrent requests', async () => {
    upstream.setDefault((_request, reply) => {
      setTimeout(() => sendJson(reply, 200, chatCompletion), 5)
    })
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        test.profiler.withContext({ userId: `user-${index}` }, async () => {
          await new Promise((resolve) => setTimeout(resolve, index % 3))
          await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, user: `user-${index}` })
        }),
      ),
    )
    upstream.setDefault((_request, reply) => sendJson(reply, 404, {}))
    const events = await test.events()
    expect(events).toHaveLength(20)
    const sentUsers = upstream.requests.map((request) => (request.json() as { user: string }).user)
    expect(new Set(events.map((event) => event.userId))).toEqual(new Set(sentUsers))
  })

  it('wraps clients derived with withOptions() and does not double count a re-wrapped client', async () => {
    upstream.enqueue(json(chatCompletion), json(chatCompletion))
    const derived = openai.withOptions({ timeout: 5000 })
    await derived.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const rewrapped = test.profiler.wrap(openai, { userId: 'user-9' })
    await rewrapped.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const events = await test.events()
    expect(events).toHaveLength(2)
    expect(events[1]).toMatchObject({ feature: 'support-chat', userId: 'user-9' })
  })
})

describe('unusual answers and clients', () => {
  it('records an error body answered with a 200 as a failed call, and returns it as the bare client does', async () => {
    const errorBody = {
      error: { message: 'The server had an error', type: 'server_error', code: 'server_error' },
    }
    upstream.enqueue(json(errorBody), json(errorBody), json({ error: { code: 502, message: 'Bad gateway' } }))
    const wrapped = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const unwrapped = await bare.chat.completions.create({ model: 'gpt-4o-mini', messages })
    expect(wrapped).toEqual(unwrapped)
    await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'x' })
    const events = await test.events()
    expect(events).toMatchObject([
      {
        status: 'error',
        model: 'gpt-4o-mini',
        error: { type: 'server_error', code: 'server_error', message: 'The server had an error' },
      },
      { status: 'error', error: { type: 'server_error', httpStatus: 502 } },
    ])
  })

  it('records a 200 answer that is not JSON (a proxy page) as a failed call, and returns it as the bare client does', async () => {
    const page: Responder = (_request, reply) => {
      reply.writeHead(200, { 'content-type': 'text/html' }).end('<html>Gateway login</html>')
    }
    upstream.enqueue(page, page)
    const wrapped = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    const unwrapped = await bare.chat.completions.create({ model: 'gpt-4o-mini', messages })
    expect(wrapped).toBe(unwrapped)
    const [event] = await test.events()
    expect(event).toMatchObject({
      status: 'error',
      usage: { inputTokens: 0, outputTokens: 0 },
      error: { message: expect.stringMatching(/not a JSON object/) },
    })
  })

  it('grows the output by reasoning reported outside it, so the event is stored', async () => {
    // Some compatible providers count reasoning outside completion_tokens.
    upstream.enqueue(
      json({
        ...chatCompletion,
        usage: {
          prompt_tokens: 10,
          completion_tokens: 100,
          completion_tokens_details: { reasoning_tokens: 300 },
        },
      }),
    )
    await openai.chat.completions.create({ model: 'grok-4', messages })
    const [event] = await test.events()
    expect(event?.usage).toEqual({ inputTokens: 10, outputTokens: 400, reasoningTokens: 300 })
  })

  it('asks an Azure OpenAI api-version older than 2024-09-01-preview for no stream_options', async () => {
    const azure = (apiVersion: string) =>
      test.profiler.wrap(
        new AzureOpenAI({
          apiKey: 'azure-key',
          endpoint: upstream.url,
          apiVersion,
          deployment: 'gpt-4o-mini',
          maxRetries: 0,
        }),
        { provider: 'azure-openai' },
      )
    upstream.enqueue(openAiChatStream(), openAiChatStream())
    let received = 0
    for await (const _chunk of await azure('2024-06-01').chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    }))
      received++
    for await (const _chunk of await azure('2024-10-21').chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    })) {
      // drain
    }
    expect(received).toBe(5)
    expect(upstream.requests[0]?.json()).not.toHaveProperty('stream_options')
    expect(upstream.requests[1]?.json()).toMatchObject({ stream_options: { include_usage: true } })
    const events = await test.events()
    expect(events).toMatchObject([
      { provider: 'azure-openai', status: 'incomplete', usage: { inputTokens: 0, outputTokens: 0 } },
      { provider: 'azure-openai', status: 'success', usage: { inputTokens: 1536 } },
    ])
  })

  it("reads an Azure api-version from an OpenAI client's default query, or from the call's query", async () => {
    const azureByQuery = test.profiler.wrap(
      new OpenAI({
        apiKey: 'azure-key',
        baseURL: `${upstream.url}/openai/deployments/gpt-4o-mini`,
        defaultQuery: { 'api-version': '2024-06-01' },
        maxRetries: 0,
      }),
    )
    upstream.enqueue(openAiChatStream(), openAiChatStream(), openAiChatStream())
    const drain = async (stream: AsyncIterable<unknown>) => {
      for await (const _chunk of stream) {
        // drain
      }
    }
    const body = { model: 'gpt-4o-mini', messages, stream: true as const }
    await drain(await azureByQuery.chat.completions.create(body))
    await drain(await azureByQuery.chat.completions.create(body, { query: { 'api-version': '2024-10-21' } }))
    await drain(await openai.chat.completions.create(body, { query: { 'api-version': '2024-02-01' } }))
    expect(upstream.requests[0]?.json()).not.toHaveProperty('stream_options')
    expect(upstream.requests[1]?.json()).toMatchObject({ stream_options: { include_usage: true } })
    expect(upstream.requests[2]?.json()).not.toHaveProperty('stream_options')
    expect((await test.events()).map((event) => event.status)).toEqual([
      'incomplete',
      'success',
      'incomplete',
    ])
  })

  it('records a stream with its usage through a spy that calls the SDK method', async () => {
    upstream.enqueue(openAiChatStream())
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${upstream.url}/v1` })
    const spy = vi.spyOn(client.chat.completions, 'create')
    const wrapped = test.profiler.wrap(client)
    const body = { model: 'gpt-4o-mini', messages, stream: true as const }
    for await (const _chunk of await wrapped.chat.completions.create(body)) {
      // drain
    }
    expect(spy).toHaveBeenCalledTimes(1)
    expect(upstream.requests[0]?.json()).toMatchObject({ stream_options: { include_usage: true } })
    const [event] = await test.events()
    expect(event).toMatchObject({ status: 'success', streaming: true })
    expect(event?.usage.inputTokens).toBeGreaterThan(0)
  })

  it('records the calls made by the methods of a client subclass, which keep working', async () => {
    class SupportBot extends OpenAI {
      answer(question: string) {
        return this.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: question }],
        })
      }
      get chatCompletions() {
        return this.chat.completions
      }
    }
    class PrivateBot extends OpenAI {
      #asked = 0
      answer(question: string) {
        this.#asked++
        return this.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: question }],
        })
      }
      get asked() {
        return this.#asked
      }
    }
    upstream.enqueue(json(chatCompletion), json(chatCompletion), json(chatCompletion))
    const options = { apiKey: 'sk-test', baseURL: `${upstream.url}/v1` }
    const bot = test.profiler.wrap(new SupportBot(options), { feature: 'bot' })
    await bot.answer('Where is my refund?')
    await bot.chatCompletions.create({ model: 'gpt-4o-mini', messages })
    expect(bot.constructor).toBe(SupportBot)
    // A subclass with private state keeps working; the calls its own methods make go unrecorded.
    const privateBot = test.profiler.wrap(new PrivateBot(options), { feature: 'private-bot' })
    await privateBot.answer('Where is my refund?')
    expect(privateBot.asked).toBe(1)
    const events = await test.events()
    expect(events.map((event) => event.feature)).toEqual(['bot', 'bot'])
  })
})

describe('responses that arrive before the caller reads them, or break', () => {
  it('does not count the time a response waits for the caller to await it', async () => {
    upstream.enqueue(json(chatCompletion))
    const pending = openai.chat.completions.create({ model: 'gpt-4o-mini', messages })
    await new Promise((resolve) => setTimeout(resolve, 1000))
    await pending
    const [event] = await test.events()
    expect(event?.latencyMs).toBeLessThan(1000)
  })

  it('does not count the time a stream waits for the caller to start reading it', async () => {
    upstream.enqueue(openAiChatStream(), openAiResponsesStream(responseEvents))
    // The whole answer is there at once; the caller reads it 300 ms after it got the stream.
    const chat = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
    await new Promise((resolve) => setTimeout(resolve, 300))
    for await (const _chunk of chat) {
      // drain
    }
    const responses = await openai.responses.create({ model: 'gpt-5-mini', input: 'x', stream: true })
    await new Promise((resolve) => setTimeout(resolve, 300))
    for await (const _event of responses) {
      // drain
    }
    const events = await test.events()
    expect(events).toHaveLength(2)
    for (const event of events) {
      expect(event).toMatchObject({ status: 'success', streaming: true })
      expect(event.timeToFirstTokenMs).toBeGreaterThanOrEqual(0)
      expect(event.timeToFirstTokenMs).toBeLessThan(250)
      expect(event.latencyMs).toBeLessThan(300)
    }
  })

  it('records a stream aborted before its first read as incomplete, through its controller or the caller signal', async () => {
    upstream.enqueue(openAiChatStream(), openAiChatStream())
    const viaController = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    })
    viaController.controller.abort()
    const signalOwner = new AbortController()
    const viaSignal = await openai.chat.completions.create(
      { model: 'gpt-4o-mini', messages, stream: true },
      { signal: signalOwner.signal },
    )
    signalOwner.abort()
    // Read later, it behaves as the SDK's own aborted stream: it ends or throws, and records nothing more.
    const readLater = async () => {
      for await (const _chunk of viaSignal) {
        // drain
      }
    }
    await readLater().catch(() => undefined)
    const events = await test.events()
    expect(events).toHaveLength(2)
    for (const event of events) {
      expect(event).toMatchObject({ status: 'incomplete', streaming: true, error: { type: 'aborted' } })
    }
  })

  it('records a call whose body is cut off after the status line, and rethrows as unwrapped', async () => {
    const truncated: Parameters<FakeHttpServer['enqueue']>[0] = (_request, reply) => {
      reply.writeHead(200, { 'content-type': 'application/json' })
      reply.end('{"id":"chatcmpl-1","object":"chat.completion","usage":')
    }
    upstream.enqueue(truncated, truncated)
    const wrappedError = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .catch((caught: unknown) => caught)
    const bareError = await bare.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .catch((caught: unknown) => caught)
    expect(wrappedError).toBeInstanceOf(SyntaxError)
    expect((wrappedError as Error).message).toBe((bareError as Error).message)
    expect(await test.events()).toMatchObject([{ status: 'error', requestedModel: 'gpt-4o-mini' }])
  })
})

describe('counting the HTTP attempts of an OpenAI call', () => {
  const rateLimited = () => json(rateLimitError, 429, { 'retry-after-ms': '1' })
  const create = (client: OpenAI, options?: Parameters<OpenAI['chat']['completions']['create']>[1]) =>
    client.chat.completions.create({ model: 'gpt-4o-mini', messages }, options)

  it('never lets its per-call marker reach the fetch the client was given, nor the upstream', async () => {
    const seen: RequestInit[] = []
    const givenFetch = (input: string | URL | Request, init?: RequestInit) => {
      seen.push(init ?? {})
      return fetch(input, init)
    }
    const options = { apiKey: 'sk-test', baseURL: `${upstream.url}/v1`, maxRetries: 2, fetch: givenFetch }
    const counted = test.profiler.wrap(new OpenAI(options))
    upstream.enqueue(rateLimited(), json(chatCompletion), json(chatCompletion))
    await create(counted, { fetchOptions: { referrerPolicy: 'no-referrer' } })
    await create(new OpenAI(options))

    expect(seen).toHaveLength(3)
    for (const init of seen) expect(Object.getOwnPropertySymbols(init)).toEqual([])
    expect(seen.slice(0, 2).map((init) => init.referrerPolicy)).toEqual(['no-referrer', 'no-referrer'])
    const headerNames = upstream.requests.map((request) => Object.keys(request.headers).sort())
    expect(headerNames[0]).toEqual(headerNames[2])
    expect(headerNames[1]).toEqual(headerNames[2])
    expect(await test.events()).toMatchObject([{ status: 'success', retryCount: 1 }])
  })

  it('counts retries with user headers of every shape, and sends those headers on every attempt', async () => {
    const shapes = [{ 'x-trace': 'trace-1' }, new Headers({ 'x-trace': 'trace-1' }), [['x-trace', 'trace-1']]]
    for (const headers of shapes) {
      upstream.enqueue(rateLimited(), json(chatCompletion))
      await create(openai, { headers: headers as Record<string, string> })
    }
    upstream.enqueue(rateLimited(), rateLimited(), json(chatCompletion))
    await create(openai, { headers: { 'x-trace': 'trace-1' }, timeout: 5000 })

    expect(upstream.requests.map((request) => request.headers['x-trace'])).toEqual(Array(9).fill('trace-1'))
    const events = await test.events()
    expect(events.map((event) => event.retryCount)).toEqual([1, 1, 1, 2])
  })

  it('counts the attempts of concurrent calls separately', async () => {
    upstream.setDefault((request, reply) => {
      const { user } = request.json() as { user: string }
      const earlier = upstream.requests.filter((other) => (other.json() as { user: string }).user === user)
      // Call `retry-<n>` is refused n times before it succeeds.
      if (earlier.length <= Number(user.split('-')[1]))
        sendJson(reply, 429, rateLimitError, { 'retry-after-ms': '2' })
      else setTimeout(() => sendJson(reply, 200, chatCompletion), 2)
    })
    await Promise.all(
      [0, 2, 1, 0, 2].map((retries, index) =>
        test.profiler.withContext({ messageId: `m-${index}` }, () =>
          openai.chat.completions.create({
            model: 'gpt-4o-mini',
            messages,
            user: `retry-${retries}-${index}`,
          }),
        ),
      ),
    )
    const events = await test.events()
    expect(Object.fromEntries(events.map((event) => [event.messageId, event.retryCount]))).toEqual({
      'm-0': 0,
      'm-1': 2,
      'm-2': 1,
      'm-3': 0,
      'm-4': 2,
    })
  })

  it('counts the retries of a helper once, in its one event', async () => {
    upstream.enqueue(rateLimited(), json(chatCompletion), rateLimited(), openAiChatStream())
    await openai.chat.completions.parse({ model: 'gpt-4o-mini', messages })
    const helperStream = openai.chat.completions.stream({ model: 'gpt-4o-mini', messages })
    await helperStream.finalChatCompletion()
    const events = await test.events()
    expect(events).toMatchObject([
      { status: 'success', streaming: false, retryCount: 1 },
      { status: 'success', streaming: true, retryCount: 1 },
    ])
  })

  it('counts retries of a client derived with withOptions()', async () => {
    upstream.enqueue(rateLimited(), json(chatCompletion))
    await create(openai.withOptions({ timeout: 5000 }))
    expect(await test.events()).toMatchObject([{ status: 'success', retryCount: 1 }])
  })

  it('records a client wrapped by two profilers in both, each with its retries', async () => {
    const second = await startTestProfiler()
    try {
      const twice = second.profiler.wrap(openai, { feature: 'second' })
      upstream.enqueue(rateLimited(), json(chatCompletion))
      await create(twice)
      expect(upstream.requests).toHaveLength(2)
      expect(await test.events()).toMatchObject([{ feature: 'support-chat', retryCount: 1 }])
      expect(await second.events()).toMatchObject([{ feature: 'second', retryCount: 1 }])
    } finally {
      await second.close()
    }
  })

  it('enters no AsyncLocalStorage unless withContext is used', async () => {
    const run = vi.spyOn(AsyncLocalStorage.prototype, 'run')
    const enterWith = vi.spyOn(AsyncLocalStorage.prototype, 'enterWith')
    try {
      upstream.enqueue(rateLimited(), json(chatCompletion), openAiChatStream())
      await create(openai)
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })
      for await (const _chunk of stream) {
        // read to the end
      }
      expect(run).not.toHaveBeenCalled()
      expect(enterWith).not.toHaveBeenCalled()

      upstream.enqueue(json(chatCompletion))
      await test.profiler.withContext({ userId: 'user-1' }, () => create(openai))
      expect(run).toHaveBeenCalledTimes(1)
    } finally {
      run.mockRestore()
      enterWith.mockRestore()
    }
    expect((await test.events()).map((event) => event.retryCount)).toEqual([1, 0, 0])
  })
})
