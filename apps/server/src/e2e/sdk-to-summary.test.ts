import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createProfiler } from '@ai-cost-profiler/sdk'
import Anthropic from '@anthropic-ai/sdk'
import { GoogleGenAI } from '@google/genai'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../bootstrap/start-server.ts'
import { parseEnv } from '../env.ts'
import { createLogger } from '../logging/logger.ts'

// Latin-1 letters, which ACP_INIT_API_KEY takes: every client here must send them as the server reads them.
const API_KEY = 'acp_end_to_end_test_clé_0123456789'

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify(body))
}

/** One fake upstream for the three providers, answering with real-shaped payloads. */
async function handleUpstream(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readBody(request)
  const url = request.url ?? ''
  const firstMessage = (body.messages as Array<{ content: string }> | undefined)?.[0]?.content
  if (url === '/v1/chat/completions' && firstMessage === 'too long') {
    return json(response, 400, {
      error: {
        message: 'maximum context length exceeded',
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
      },
    })
  }
  if (url === '/v1/chat/completions' && body.stream) {
    response.writeHead(200, { 'content-type': 'text/event-stream' })
    const base = {
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1763805600,
      model: 'gpt-4o-mini-2024-07-18',
    }
    const chunks = [
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: 'stop' }] },
      { ...base, choices: [], usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 } },
    ]
    for (const chunk of chunks) response.write(`data: ${JSON.stringify(chunk)}\n\n`)
    response.end('data: [DONE]\n\n')
    return
  }
  if (url === '/v1/chat/completions') {
    return json(response, 200, {
      id: 'chatcmpl-2',
      object: 'chat.completion',
      created: 1763805600,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop', logprobs: null },
      ],
      usage: {
        prompt_tokens: 10_000,
        completion_tokens: 500,
        total_tokens: 10_500,
        prompt_tokens_details: { cached_tokens: 2_048 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    })
  }
  if (url === '/v1/messages') {
    return json(response, 200, {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-20250514',
      content: [{ type: 'text', text: 'Hi' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 1_000,
        cache_read_input_tokens: 2_000,
        cache_creation_input_tokens: 500,
        output_tokens: 200,
      },
    })
  }
  if (url.startsWith('/v1beta/models/gemini-2.5-flash:generateContent')) {
    return json(response, 200, {
      candidates: [{ content: { role: 'model', parts: [{ text: 'Hi' }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: {
        promptTokenCount: 1_000,
        cachedContentTokenCount: 200,
        candidatesTokenCount: 100,
        thoughtsTokenCount: 50,
        totalTokenCount: 1_150,
      },
      modelVersion: 'gemini-2.5-flash',
    })
  }
  // The Gemini API's embeddings carry no token counts.
  if (url.startsWith('/v1beta/models/gemini-embedding-001:')) {
    return json(response, 200, { embeddings: [{ values: [0.1, -0.2] }] })
  }
  json(response, 404, { error: { message: `no fake for ${url}` } })
}

describe('SDK → server → summary, end to end', () => {
  let upstream: Server
  let upstreamUrl: string
  let server: RunningServer

  beforeAll(async () => {
    upstream = createServer((request, response) => void handleUpstream(request, response))
    upstream.listen(0, '127.0.0.1')
    await once(upstream, 'listening')
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
    const env = parseEnv({
      PORT: '0',
      ACP_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'acp-e2e-')),
      ACP_INIT_PROJECT: 'e2e',
      ACP_INIT_API_KEY: API_KEY,
    })
    server = await startServer(env, createLogger({ level: 'silent' }), { print: () => {} })
  })

  afterAll(async () => {
    await server?.close()
    upstream?.close()
  })

  it('records a scripted mix of calls and the summary shows their exact cost', async () => {
    const startedAt = new Date(Date.now() - 60_000).toISOString()
    const errors: unknown[] = []
    const profiler = createProfiler({
      endpoint: server.url,
      apiKey: API_KEY,
      onError: (error) => errors.push(error),
    })
    const openai = profiler.wrap(
      new OpenAI({ apiKey: 'sk-test', baseURL: `${upstreamUrl}/v1`, maxRetries: 0 }),
      {
        feature: 'support-chat',
      },
    )
    const anthropic = profiler.wrap(
      new Anthropic({ apiKey: 'sk-ant-test', baseURL: upstreamUrl, maxRetries: 0 }),
    )
    const gemini = profiler.wrap(new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: upstreamUrl } }))

    await profiler.withContext({ userId: 'u42', conversationId: 'c1' }, async () => {
      await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Hi' }],
      })
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
      })
      const seenChunks: unknown[] = []
      for await (const chunk of stream) seenChunks.push(chunk)
      // The caller did not ask for usage, so the usage-only chunk stays hidden.
      expect(seenChunks).toHaveLength(2)
      await expect(
        openai.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'too long' }],
        }),
      ).rejects.toBeInstanceOf(OpenAI.BadRequestError)
      await anthropic.messages.create({
        model: 'claude-sonnet-4-20250514',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Hi' }],
      })
      await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' })
      await gemini.models.embedContent({ model: 'gemini-embedding-001', contents: 'x'.repeat(4_000) })
    })
    await profiler.shutdown()
    expect(errors).toEqual([])
    expect(profiler.stats()).toMatchObject({ sent: 6, dropped: 0 })

    const response = await fetch(
      `${server.url}/v1/analytics/summary?from=${startedAt}&to=${new Date(Date.now() + 60_000).toISOString()}`,
      { headers: { authorization: `Bearer ${API_KEY}` } },
    )
    const summary = (await response.json()) as Record<string, unknown>
    // gpt-4o-mini:      7,952 × 0.15 + 2,048 × 0.075 + 500 × 0.60        = 1,646.4 µ$
    // gpt-4o-mini (stream): 100 × 0.15 + 20 × 0.60                      =    27.0 µ$
    // failed call (no tokens)                                           =     0.0 µ$
    // claude-sonnet-4:  1,000 × 3 + 2,000 × 0.30 + 500 × 3.75 + 200 × 15 = 8,475.0 µ$
    // gemini-2.5-flash: 800 × 0.30 + 200 × 0.03 + (100 + 50) × 2.50      =   621.0 µ$
    // gemini-embedding-001: 4,000 bytes estimated as 1,000 tokens × 0.15  =   150.0 µ$
    expect(summary).toMatchObject({
      totalCostUsd: '0.010919400000',
      requests: 6,
      errors: 1,
      inputTokens: 10_000 + 100 + 3_500 + 1_000 + 1_000,
      outputTokens: 500 + 20 + 200 + 150,
      cacheReadInputTokens: 2_048 + 2_000 + 200,
      cacheWriteInputTokens: 500,
      reasoningTokens: 50,
      unpricedRequests: 0,
      estimatedRequests: 1,
    })
    const byProvider = Object.fromEntries(
      (summary.byProvider as Array<{ provider: string; costUsd: string }>).map((row) => [
        row.provider,
        row.costUsd,
      ]),
    )
    expect(byProvider).toEqual({
      anthropic: '0.008475000000',
      openai: '0.001673400000',
      google: '0.000771000000',
    })
  })

  it('sends with a Latin-1 key in plain JSON too, which Node would write with a string body in UTF-8', async () => {
    const errors: unknown[] = []
    const profiler = createProfiler({
      endpoint: server.url,
      apiKey: API_KEY,
      compression: 'none',
      onError: (error) => errors.push(error),
    })
    const openai = profiler.wrap(
      new OpenAI({ apiKey: 'sk-test', baseURL: `${upstreamUrl}/v1`, maxRetries: 0 }),
    )
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    })
    await profiler.shutdown()
    expect(errors).toEqual([])
    expect(profiler.stats()).toMatchObject({ sent: 1, dropped: 0 })
  })
})
