import { ApiError, GoogleGenAI } from '@google/genai'
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from 'vitest'
import embedContent from '../../../__fixtures__/gemini/embed-content.json' with { type: 'json' }
import overloaded from '../../../__fixtures__/gemini/error-overloaded.json' with { type: 'json' }
import resourceExhausted from '../../../__fixtures__/gemini/error-resource-exhausted.json' with {
  type: 'json',
}
import tokenLimit from '../../../__fixtures__/gemini/error-token-limit.json' with { type: 'json' }
import generateContent from '../../../__fixtures__/gemini/generate-content.json' with { type: 'json' }
import chunks from '../../../__fixtures__/gemini/stream-chunks.json' with { type: 'json' }
import { callContext } from '../../../call-context.ts'
import { type FakeHttpServer, sendJson, startFakeHttpServer } from '../../../test-support/fake-http-server.ts'
import {
  chunksWithPartialLastUsage,
  geminiJson,
  geminiStream,
} from '../../../test-support/gemini-upstream.ts'
import { startTestProfiler, type TestProfiler } from '../../../test-support/test-profiler.ts'

let upstream: FakeHttpServer
let test: TestProfiler
let bare: GoogleGenAI
let ai: GoogleGenAI

const streamUsage = { inputTokens: 1200, outputTokens: 14 + 408, reasoningTokens: 408 }

beforeAll(async () => {
  upstream = await startFakeHttpServer()
})
afterAll(async () => {
  await upstream.close()
})
beforeEach(async () => {
  upstream.reset()
  test = await startTestProfiler()
  bare = new GoogleGenAI({ apiKey: 'gemini-test-key', httpOptions: { baseUrl: upstream.url } })
  ai = test.profiler.wrap(bare, { feature: 'reports' })
  return () => test.close()
})

/** A client of the same class on its Vertex AI backend (express mode: an API key, no Google auth). */
const wrappedVertexClient = () =>
  test.profiler.wrap(
    new GoogleGenAI({ vertexai: true, apiKey: 'vertex-express-key', httpOptions: { baseUrl: upstream.url } }),
  )

describe('wrapping a @google/genai client', () => {
  it('keeps the client type', () => {
    expectTypeOf(ai).toEqualTypeOf<GoogleGenAI>()
  })

  it('records generateContent with cached content and thoughts', async () => {
    upstream.enqueue(geminiJson(generateContent), geminiJson(generateContent))
    const result = await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'Summarise Q3' })
    const bareResult = await bare.models.generateContent({
      model: 'gemini-2.5-pro',
      contents: 'Summarise Q3',
    })
    expect(result.text).toBe(bareResult.text)
    expect(upstream.requests[0]?.path).toContain('/models/gemini-2.5-pro:generateContent')
    const [event, ...others] = await test.events()
    expect(others).toEqual([])
    expect(event).toMatchObject({
      provider: 'google',
      model: 'gemini-2.5-pro',
      requestedModel: 'gemini-2.5-pro',
      feature: 'reports',
      status: 'success',
      usage: {
        inputTokens: 34_500,
        outputTokens: 210 + 1105,
        cacheReadInputTokens: 32_768,
        reasoningTokens: 1105,
      },
    })
  })

  it('records a stream from the last running totals, with time to first token', async () => {
    upstream.enqueue(geminiStream(chunks, { delayMs: 2 }))
    const stream = await ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'Summarise Q3',
      config: { serviceTier: 'flex' } as never,
    })
    let text = ''
    for await (const chunk of stream) text += chunk.text
    expect(text).toBe('Quarterly revenue grew 12%, driven by renewals.')
    const [event] = await test.events()
    expect(event).toMatchObject({
      streaming: true,
      status: 'success',
      model: 'gemini-2.5-flash',
      serviceTier: 'flex',
      usage: streamUsage,
    })
    expect(event?.timeToFirstTokenMs).toBeGreaterThan(0)
  })

  it('keeps a count an earlier chunk gave when the last chunk leaves it out', async () => {
    upstream.enqueue(geminiStream(chunksWithPartialLastUsage))
    const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Q3' })
    for await (const _chunk of stream) {
      // read to the end
    }
    const [event] = await test.events()
    expect(event).toMatchObject({ status: 'success', usage: streamUsage })
  })

  it('records an early break as incomplete with the running totals so far', async () => {
    upstream.enqueue(geminiStream(chunks, { delayMs: 5 }))
    const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' })
    for await (const chunk of stream) {
      expect(chunk.text).toBeTruthy()
      break
    }
    const [event] = await test.events()
    expect(event).toMatchObject({
      status: 'incomplete',
      error: { type: 'aborted' },
      usage: { inputTokens: 1200, outputTokens: 0 },
    })
  })

  it('counts chats once per message, streaming and not', async () => {
    upstream.enqueue(geminiJson(generateContent), geminiStream())
    const chat = ai.chats.create({ model: 'gemini-2.5-pro' })
    const reply = await chat.sendMessage({ message: 'Hello' })
    expect(reply.text).toContain('Quarterly revenue')
    let streamed = ''
    for await (const chunk of await chat.sendMessageStream({ message: 'More' })) streamed += chunk.text
    expect(streamed).toContain('renewals')

    upstream.enqueue(geminiJson(generateContent), geminiStream())
    const bareChat = bare.chats.create({ model: 'gemini-2.5-pro' })
    await bareChat.sendMessage({ message: 'Hello' })
    for await (const _chunk of await bareChat.sendMessageStream({ message: 'More' })) {
      // drain, as above
    }
    expect(chat.getHistory()).toEqual(bareChat.getHistory())

    const events = await test.events()
    expect(upstream.requests).toHaveLength(4)
    expect(events).toMatchObject([
      { streaming: false, usage: { inputTokens: 34_500 } },
      { streaming: true, usage: streamUsage },
    ])
  })

  it('records a Gemini API embedContent with its tokens estimated from the texts, and says so', async () => {
    upstream.enqueue(geminiJson(embedContent), geminiJson(embedContent))
    const result = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: 'hello' })
    expect(result).toEqual(
      await bare.models.embedContent({ model: 'gemini-embedding-001', contents: 'hello' }),
    )
    expect(result.embeddings).toHaveLength(1)
    // Two contents, one of two parts: 'hello world' (11 bytes: 3), 'é'.repeat(10) (20 bytes: 5), and
    // 'ab' (1); the image part is not billed as text.
    upstream.enqueue(geminiJson({ embeddings: [{ values: [0.1] }, { values: [0.2] }] }))
    await ai.models.embedContent({
      model: 'gemini-embedding-001',
      contents: [
        { parts: [{ text: 'hello world' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
        { parts: [{ text: 'é'.repeat(10) }, { text: 'ab' }] },
      ],
    })
    const events = await test.events()
    expect(events).toMatchObject([
      { model: 'gemini-embedding-001', usage: { inputTokens: 2, outputTokens: 0 }, usageEstimated: true },
      { usage: { inputTokens: 9, outputTokens: 0 }, usageEstimated: true },
    ])
  })

  it('records a Vertex AI embedContent with the token counts its predictions carry', async () => {
    const vertex = wrappedVertexClient()
    upstream.enqueue(
      geminiJson({
        predictions: [
          { embeddings: { values: [0.1], statistics: { token_count: 7, truncated: false } } },
          { embeddings: { values: [0.2], statistics: { token_count: 5, truncated: false } } },
        ],
      }),
    )
    const result = await vertex.models.embedContent({
      model: 'gemini-embedding-001',
      contents: ['first', 'second'],
    })
    expect(result.embeddings?.map((embedding) => embedding.statistics?.tokenCount)).toEqual([7, 5])
    const [event] = await test.events()
    expect(event).toMatchObject({
      provider: 'vertex',
      usage: { inputTokens: 12, outputTokens: 0 },
      usageEstimated: false,
    })
  })

  it('classifies 429, 503 and token-limit errors and rethrows them unchanged', async () => {
    upstream.enqueue(
      geminiJson(resourceExhausted, 429),
      geminiJson(overloaded, 503),
      geminiJson(tokenLimit, 400),
    )
    const errors = []
    for (let index = 0; index < 3; index++) {
      errors.push(
        await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'x' }).catch((error) => error),
      )
    }
    for (const error of errors) expect(error).toBeInstanceOf(ApiError)
    expect(errors.map((error) => error.status)).toEqual([429, 503, 400])
    const events = await test.events()
    expect(events).toMatchObject([
      { status: 'error', error: { type: 'rate_limit', httpStatus: 429, code: 'RESOURCE_EXHAUSTED' } },
      { status: 'error', error: { type: 'overloaded', httpStatus: 503, code: 'UNAVAILABLE' } },
      { status: 'error', error: { type: 'context_length', httpStatus: 400, code: 'INVALID_ARGUMENT' } },
    ])
  })

  it('counts the retries retryOptions makes, through the fetch the call would have used', async () => {
    const retryOptions = { attempts: 4, initialDelay: 0.001, maxDelay: 0.002, jitter: 0 }
    const fetched: string[] = []
    const clientFetch: typeof fetch = (input, init) => {
      fetched.push('client')
      return fetch(input, init)
    }
    const client = test.profiler.wrap(
      new GoogleGenAI({
        apiKey: 'gemini-test-key',
        httpOptions: { baseUrl: upstream.url, retryOptions, fetch: clientFetch },
      }),
    )
    upstream.enqueue(
      geminiJson(overloaded, 503),
      geminiJson(resourceExhausted, 429),
      geminiJson(generateContent),
    )
    await client.models.generateContent({ model: 'gemini-2.5-pro', contents: 'x' })
    upstream.enqueue(geminiJson(overloaded, 503), geminiStream(chunks))
    const stream = await client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' })
    for await (const _chunk of stream) {
      // read to the end
    }
    // A fetch of the call's own comes before the client's.
    const callFetch: typeof fetch = (input, init) => {
      fetched.push('call')
      return fetch(input, init)
    }
    upstream.enqueue(geminiJson(overloaded, 503), geminiJson(overloaded, 503), geminiJson(overloaded, 503))
    upstream.enqueue(geminiJson(overloaded, 503))
    const error = await client.models
      .generateContent({
        model: 'gemini-2.5-pro',
        contents: 'x',
        config: { httpOptions: { fetch: callFetch } },
      })
      .catch((caught) => caught)
    expect(error).toBeInstanceOf(ApiError)
    expect(fetched).toEqual([
      'client',
      'client',
      'client',
      'client',
      'client',
      'call',
      'call',
      'call',
      'call',
    ])
    // Nothing of the counting reaches the wire.
    for (const request of upstream.requests) expect(request.body).not.toContain('fetch')
    const events = await test.events()
    expect(events.map((event) => [event.status, event.retryCount])).toEqual([
      ['success', 2],
      ['success', 1],
      ['error', 3],
    ])
  })

  describe('automatic function calling', () => {
    const answer = (
      parts: unknown[],
      usage: Record<string, number>,
      extra: Record<string, unknown> = {},
    ) => ({
      candidates: [{ content: { parts, role: 'model' }, finishReason: 'STOP', index: 0, ...extra }],
      usageMetadata: usage,
      modelVersion: 'gemini-2.5-pro',
    })
    const callLookup = [{ functionCall: { name: 'lookup', args: { q: 'Q3' } } }]
    const lookup = {
      tool: async () => ({ functionDeclarations: [{ name: 'lookup' }] }),
      callTool: async (calls: Array<{ name?: string }>) =>
        calls.map((call) => ({ functionResponse: { name: call.name, response: { result: '12M' } } })),
    }
    const round1 = { promptTokenCount: 150_000, candidatesTokenCount: 20, thoughtsTokenCount: 300 }
    const round2 = { promptTokenCount: 150_100, candidatesTokenCount: 10, thoughtsTokenCount: 100 }
    const byInput = <Event extends { usage: { inputTokens: number } }>(events: Event[]) =>
      [...events].sort((a, b) => a.usage.inputTokens - b.usage.inputTokens)
    // Each event covers its own round: the call's own event (the last round's) starts when that round's
    // request went out, after the first round's answer (30 ms late), not when the call started.
    const expectRoundsInTurn = (events: Array<{ timestamp: string; latencyMs?: number }>) => {
      const [first, last] = events
      expect(first!.latencyMs).toBeGreaterThanOrEqual(29)
      expect(Date.parse(last!.timestamp)).toBeGreaterThanOrEqual(
        Date.parse(first!.timestamp) + Math.floor(first!.latencyMs ?? 0) - 1,
      )
    }

    it('records each model round of the tool loop as its own call, with the call context', async () => {
      upstream.enqueue(
        async (request, reply) => {
          await new Promise((resolve) => setTimeout(resolve, 30))
          await geminiJson(answer(callLookup, round1))(request, reply)
        },
        geminiJson(answer([{ text: 'Revenue was 12M.' }], round2)),
      )
      const response = await test.profiler.withContext({ conversationId: 'afc-1' }, () =>
        ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'Q3?', config: { tools: [lookup] } }),
      )
      expect(response.text).toBe('Revenue was 12M.')
      const events = byInput(await test.events())
      expect(events).toHaveLength(2)
      expect(events).toMatchObject([
        {
          conversationId: 'afc-1',
          feature: 'reports',
          model: 'gemini-2.5-pro',
          streaming: false,
          usage: { inputTokens: 150_000, outputTokens: 320, reasoningTokens: 300 },
        },
        { conversationId: 'afc-1', usage: { inputTokens: 150_100, outputTokens: 110, reasoningTokens: 100 } },
      ])
      expectRoundsInTurn(events)
    })

    it('records each round of a streamed tool loop, and a resumed answer as one round', async () => {
      upstream.enqueue(
        geminiStream([answer(callLookup, round1)], { delayMs: 30 }),
        // The second round is cut at the token limit and resumed with its continuation token.
        geminiStream(
          [answer([{ text: 'Revenue ' }], round2, { continuationToken: 'c1', finishReason: undefined })],
          { delayMs: 30 },
        ),
        geminiStream([answer([{ text: 'was 12M.' }], { promptTokenCount: 10, candidatesTokenCount: 5 })]),
      )
      const stream = await ai.models.generateContentStream({
        model: 'gemini-2.5-pro',
        contents: 'Q3?',
        config: { tools: [lookup] },
      })
      for await (const _chunk of stream) {
        // read every round
      }
      const events = byInput(await test.events())
      expect(upstream.requests).toHaveLength(3)
      expect(events).toHaveLength(2)
      expect(events[0]).toMatchObject({ streaming: true, usage: { inputTokens: 150_000, outputTokens: 320 } })
      // The last round's two requests, added up by @google/genai itself.
      expect(events[1]).toMatchObject({ streaming: true, usage: { inputTokens: 150_110, outputTokens: 115 } })
      expectRoundsInTurn(events)
      // Each round's time to first token is its own: the first round's function call came 30 ms late.
      expect(events[0]!.timeToFirstTokenMs).toBeGreaterThanOrEqual(29)
      // The last round is timed from its first request, whose text came 30 ms late, not from its resumption.
      expect(events[1]!.timeToFirstTokenMs).toBeGreaterThanOrEqual(29)
      expect(events[1]!.timeToFirstTokenMs).toBeLessThanOrEqual(events[1]!.latencyMs ?? 0)
    })

    it('records a streamed round left before its finish reason as incomplete, though the round before finished', async () => {
      const partial = (text: string, candidatesTokenCount: number) => ({
        candidates: [{ content: { parts: [{ text }], role: 'model' }, index: 0 }],
        usageMetadata: { promptTokenCount: 150_100, candidatesTokenCount },
      })
      upstream.enqueue(
        geminiStream([answer(callLookup, round1)]),
        geminiStream([partial('Revenue ', 1), partial('was ', 2), answer([{ text: '12M.' }], round2)], {
          delayMs: 5,
        }),
      )
      const stream = await ai.models.generateContentStream({
        model: 'gemini-2.5-pro',
        contents: 'Q3?',
        config: { tools: [lookup] },
      })
      for await (const chunk of stream)
        if (chunk.candidates?.[0]?.content?.parts?.[0]?.text === 'Revenue ') break
      const events = byInput(await test.events())
      expect(events).toMatchObject([
        { status: 'success', usage: { inputTokens: 150_000, outputTokens: 320 } },
        {
          status: 'incomplete',
          error: { type: 'aborted' },
          usage: { inputTokens: 150_100, outputTokens: 1 },
        },
      ])
    })

    it('keeps a streamed round as the call’s when the caller leaves at the function responses, and not when the next round fails', async () => {
      upstream.enqueue(geminiStream([answer(callLookup, round1)]))
      const left = await ai.models.generateContentStream({
        model: 'gemini-2.5-pro',
        contents: 'Q3?',
        config: { tools: [lookup] },
      })
      for await (const chunk of left) if (chunk.candidates?.[0]?.content?.role === 'user') break
      expect(upstream.requests).toHaveLength(1)
      expect(await test.events()).toMatchObject([
        { status: 'success', usage: { inputTokens: 150_000, outputTokens: 320 } },
      ])

      upstream.reset()
      upstream.enqueue(geminiStream([answer(callLookup, round1)]), geminiJson(resourceExhausted, 429))
      const failing = await ai.models.generateContentStream({
        model: 'gemini-2.5-pro',
        contents: 'Q3?',
        config: { tools: [lookup] },
      })
      const error = await (async () => {
        for await (const _chunk of failing) {
          // read until the second round fails
        }
      })().catch((caught) => caught)
      expect(error).toBeInstanceOf(ApiError)
      // The first round once, as its own event; the failed one without its tokens.
      const events = (await test.events()).slice(1)
      expect(byInput(events)).toMatchObject([
        { status: 'incomplete', error: { type: 'rate_limit' }, usage: { inputTokens: 0 } },
        { status: 'success', usage: { inputTokens: 150_000, outputTokens: 320 } },
      ])
    })

    it('takes the tier each round was served at from its header, as for the call’s own event', async () => {
      const servedAtStandard = (body: unknown) =>
        ((_request, reply) =>
          sendJson(reply, 200, body, {
            'x-gemini-service-tier': 'standard',
          })) satisfies Parameters<typeof upstream.enqueue>[0]
      upstream.enqueue(
        servedAtStandard(answer(callLookup, round1)),
        servedAtStandard(answer([{ text: 'Revenue was 12M.' }], round2)),
      )
      await ai.models.generateContent({
        model: 'gemini-3-flash-preview',
        contents: 'Q3?',
        config: { tools: [lookup], serviceTier: 'priority' } as never,
      })
      const events = byInput(await test.events())
      expect(events.map((event) => [event.usage.inputTokens, event.serviceTier])).toEqual([
        [150_000, 'standard'],
        [150_100, 'standard'],
      ])
    })

    it('lets @google/genai write into the caller’s params as it does unwrapped', async () => {
      const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' }
      const run = async (client: GoogleGenAI) => {
        upstream.enqueue(
          geminiStream([answer(callLookup, round1)]),
          geminiStream([answer([{ text: 'Revenue was 12M.' }], round2)]),
        )
        const contents = [{ role: 'user', parts: [{ text: 'Q3?' }] }]
        const params = {
          model: 'gemini-2.5-pro',
          contents,
          config: { tools: [lookup], responseSchema: schema } as Record<string, unknown>,
        }
        for await (const _chunk of await client.models.generateContentStream(params)) {
          // read every round
        }
        // The caller's own array is replaced, not changed.
        expect(contents).toHaveLength(1)
        return params
      }
      const wrapped = await run(ai)
      const unwrapped = await run(bare)
      // The tool loop's exchange, written back by the SDK; the JSON schema moved where it belongs.
      expect(wrapped.contents.map((content) => content.role)).toEqual(['user', 'model', 'user'])
      expect(wrapped.config).toEqual({ tools: [lookup], responseJsonSchema: schema })
      expect(wrapped).toEqual(unwrapped)
    })

    it('adds up a resumed round that is not the last', async () => {
      upstream.enqueue(
        geminiJson(
          answer([{ text: 'Let me ' }], round1, { continuationToken: 'c1', finishReason: undefined }),
        ),
        geminiJson(answer(callLookup, { promptTokenCount: 30, candidatesTokenCount: 7 })),
        geminiJson(answer([{ text: 'Revenue was 12M.' }], round2)),
      )
      await ai.models.generateContent({
        model: 'gemini-2.5-pro',
        contents: 'Q3?',
        config: { tools: [lookup] },
      })
      const events = byInput(await test.events())
      expect(events.map((event) => [event.usage.inputTokens, event.usage.outputTokens])).toEqual([
        [150_030, 327],
        [150_100, 110],
      ])
    })

    it('records an answered round when the tool it asked for throws', async () => {
      upstream.enqueue(geminiJson(answer(callLookup, round1)))
      const failing = {
        ...lookup,
        callTool: async () => {
          throw new Error('lookup is down')
        },
      }
      const error = await ai.models
        .generateContent({ model: 'gemini-2.5-pro', contents: 'Q3?', config: { tools: [failing] } })
        .catch((caught) => caught)
      expect(error).toMatchObject({ message: 'lookup is down' })
      const events = byInput(await test.events())
      expect(events).toMatchObject([
        { status: 'error', usage: { inputTokens: 0 } },
        { status: 'success', usage: { inputTokens: 150_000, outputTokens: 320 } },
      ])
    })

    it('leaves a call whose tool loop is disabled as one call', async () => {
      upstream.enqueue(geminiJson(answer(callLookup, round1)))
      await ai.models.generateContent({
        model: 'gemini-2.5-pro',
        contents: 'Q3?',
        config: { tools: [lookup], automaticFunctionCalling: { disable: true } },
      })
      expect(await test.events()).toMatchObject([{ usage: { inputTokens: 150_000 } }])
    })
  })

  it('counts no retry for a call without retryOptions, and leaves the caller its params', async () => {
    upstream.enqueue(geminiJson(overloaded, 503))
    const params = { model: 'gemini-2.5-pro', contents: 'x', config: { temperature: 0 } }
    await ai.models.generateContent(params).catch(() => {})
    expect(params).toEqual({ model: 'gemini-2.5-pro', contents: 'x', config: { temperature: 0 } })
    const [event] = await test.events()
    expect(event).toMatchObject({ status: 'error', retryCount: 0 })
    expect(upstream.requests).toHaveLength(1)
  })

  it('records a failing stream request', async () => {
    upstream.enqueue(geminiJson(resourceExhausted, 429))
    const error = await ai.models
      .generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' })
      .catch((caught) => caught)
    expect(error).toBeInstanceOf(ApiError)
    const [event] = await test.events()
    expect(event).toMatchObject({ streaming: true, status: 'error', error: { type: 'rate_limit' } })
  })

  it('takes a per-call context from the params and does not send it', async () => {
    upstream.enqueue(geminiJson(generateContent))
    await ai.models.generateContent({
      model: 'gemini-2.5-pro',
      contents: 'x',
      ...callContext({ userId: 'user-3' }),
    })
    expect(upstream.requests[0]?.body).not.toContain('user-3')
    const [event] = await test.events()
    expect(event).toMatchObject({ userId: 'user-3', feature: 'reports' })
  })

  it('records Vertex AI calls of the same client class as provider vertex', async () => {
    upstream.enqueue(geminiJson(generateContent))
    const vertex = wrappedVertexClient()
    await vertex.models.generateContent({ model: 'gemini-2.5-pro', contents: 'x' })
    const [event] = await test.events()
    expect(event).toMatchObject({ provider: 'vertex', model: 'gemini-2.5-pro' })
  })

  it('takes a per-call context from a chat message and does not send it', async () => {
    upstream.enqueue(geminiJson(generateContent), geminiStream(chunks))
    const chat = ai.chats.create({ model: 'gemini-2.5-pro' })
    await chat.sendMessage({ message: 'Hello', ...callContext({ messageId: 'm-1', userId: 'user-9' }) })
    const streamed = await chat.sendMessageStream({ message: 'More', ...callContext({ messageId: 'm-2' }) })
    for await (const _chunk of streamed) {
      // drain
    }
    expect(upstream.requests.map((request) => request.body).join('')).not.toMatch(/m-1|m-2|user-9/)
    const events = await test.events()
    expect(events).toMatchObject([
      { messageId: 'm-1', userId: 'user-9', feature: 'reports', streaming: false },
      { messageId: 'm-2', feature: 'reports', streaming: true },
    ])
    expect(events[1]?.userId).toBeUndefined()
  })

  it("tells the client's own timeout from the caller's abort", async () => {
    const hang = () => {}
    upstream.enqueue(hang, hang)
    const timed = test.profiler.wrap(
      new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: upstream.url, timeout: 50 } }),
    )
    await timed.models.generateContent({ model: 'gemini-2.5-pro', contents: 'x' }).catch(() => {})
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    await ai.models
      .generateContent({ model: 'gemini-2.5-pro', contents: 'x', config: { abortSignal: controller.signal } })
      .catch(() => {})
    const events = await test.events()
    expect(events.map((event) => event.error?.type)).toEqual(['timeout', 'aborted'])
  })

  it('takes the tier Vertex AI reports serving the request', async () => {
    const served = (trafficType: string) => ({
      ...generateContent,
      usageMetadata: { ...generateContent.usageMetadata, trafficType },
    })
    upstream.enqueue(
      geminiJson(served('ON_DEMAND_PRIORITY')),
      geminiJson(served('ON_DEMAND')),
      geminiJson(served('ON_DEMAND_FLEX')),
    )
    const vertex = wrappedVertexClient()
    await vertex.models.generateContent({ model: 'gemini-2.5-pro', contents: 'x' })
    await vertex.models.generateContent({
      model: 'gemini-2.5-pro',
      contents: 'x',
      config: { serviceTier: 'priority' } as never,
    })
    await vertex.models.generateContent({ model: 'gemini-2.5-pro', contents: 'x' })
    const events = await test.events()
    expect(events.map((event) => event.serviceTier)).toEqual(['priority', 'standard', 'flex'])
  })

  it('takes the tier the Gemini API reports serving the request: a priority request over its limit is standard', async () => {
    const withTier = (tier: string | undefined) =>
      ((_request, reply) =>
        sendJson(
          reply,
          200,
          generateContent,
          tier ? { 'x-gemini-service-tier': tier } : {},
        )) satisfies Parameters<typeof upstream.enqueue>[0]
    upstream.enqueue(withTier('standard'), withTier('priority'), withTier(undefined))
    const priority = {
      model: 'gemini-3-flash-preview',
      contents: 'x',
      config: { serviceTier: 'priority' } as never,
    }
    await ai.models.generateContent(priority)
    await ai.models.generateContent(priority)
    await ai.models.generateContent({
      model: 'gemini-3-flash-preview',
      contents: 'x',
      config: { serviceTier: 'SERVICE_TIER_FLEX' } as never,
    })
    const events = await test.events()
    expect(events.map((event) => event.serviceTier)).toEqual(['standard', 'priority', 'flex'])
  })

  it('records a stream that ends cleanly before any chunk gives a finish reason as incomplete', async () => {
    // The connection closes after two of three chunks, with no error: only the missing finishReason tells.
    upstream.enqueue(geminiStream(chunks.slice(0, 2)), geminiStream(chunks))
    let text = ''
    for await (const chunk of await ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'x',
    }))
      text += chunk.text
    expect(text).toBe('Quarterly revenue grew 12%')
    // Stopping after the chunk that finished the answer cuts nothing off.
    for await (const chunk of await ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'x',
    }))
      if (chunk.candidates?.[0]?.finishReason) break
    const events = await test.events()
    expect(events).toMatchObject([
      { status: 'incomplete', usage: { inputTokens: 1200, outputTokens: 417 } },
      { status: 'success', usage: streamUsage },
    ])
    expect(events[0]?.error).toBeUndefined()
  })

  it('records an error body answered with a 200 as a failed call, and returns what the bare client returns', async () => {
    const errorBody = { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }
    upstream.enqueue(geminiJson(errorBody), geminiJson(errorBody))
    const wrapped = await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'x' })
    const unwrapped = await bare.models.generateContent({ model: 'gemini-2.5-pro', contents: 'x' })
    expect(wrapped.candidates).toBeUndefined()
    expect(Object.keys(wrapped)).toEqual(Object.keys(unwrapped))
    const [event, ...others] = await test.events()
    expect(others).toEqual([])
    // @google/genai keeps only the fields it knows: the error's code and message do not reach the caller.
    expect(event).toMatchObject({ status: 'error', error: { type: 'unknown' } })
    expect(event?.error?.message).toContain('200')
  })
})
