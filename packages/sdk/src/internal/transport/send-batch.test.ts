import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import type { LlmCallEventInput } from '@ai-cost-profiler/core'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { createBodySender } from './body-sender.ts'
import { sendBatch, serializeBatch } from './send-batch.ts'

function event(index: number): LlmCallEventInput {
  return {
    idempotencyKey: `key-${index}`,
    timestamp: '2026-11-29T10:00:00.000Z',
    provider: 'openai',
    model: index % 2 === 0 ? 'gpt-4o-mini-2024-07-18' : 'gpt-4.1 "quoted" \\ \u2028 ünïcode',
    usage: { inputTokens: index, outputTokens: 2 * index, cacheReadInputTokens: undefined },
    latencyMs: index / 3,
    status: 'success',
    retryCount: 0,
    streaming: index % 3 === 0,
    serviceTier: 'standard',
    metadata: index % 5 === 0 ? { nested: { list: [1, null, 'x'] } } : undefined,
  }
}

describe('serializeBatch', () => {
  it('writes the same text as one JSON.stringify of the body', async () => {
    for (const size of [0, 1, 25, 26, 100, 333]) {
      const events = Array.from({ length: size }, (_, index) => event(index))
      expect(await serializeBatch(events)).toBe(JSON.stringify({ events }))
    }
  })

  it('lets the event loop run other work while a large batch is serialised', async () => {
    const events = Array.from({ length: 200 }, (_, index) => event(index))
    const order: string[] = []
    setImmediate(() => order.push('other work'))
    await serializeBatch(events).then(() => order.push('serialised'))
    expect(order).toEqual(['other work', 'serialised'])
  })
})

describe('sendBatch redirects', () => {
  const servers: Server[] = []
  const sender = createBodySender('worker', (error) => {
    throw error
  })
  afterAll(() => sender.close())
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
  async function serve(listener: RequestListener): Promise<string> {
    const server = createServer(listener)
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }
  const send = (endpoint: string) =>
    sendBatch({
      endpoint,
      apiKey: 'k',
      events: [event(1)],
      compression: 'gzip',
      sender,
      timeoutMs: 5000,
      maxRetryAfterMs: 1000,
    })

  it('follows a 307 or 308 to the same origin with the same body and key', async () => {
    const seen: Array<{ url: string | undefined; authorization: string | undefined; events: number }> = []
    const endpoint = await serve((request, response) => {
      const parts: Buffer[] = []
      request.on('data', (part: Buffer) => parts.push(part))
      request.on('end', () => {
        const { events } = JSON.parse(gunzipSync(Buffer.concat(parts)).toString()) as { events: unknown[] }
        seen.push({ url: request.url, authorization: request.headers.authorization, events: events.length })
        if (request.url === '/v1/events') response.writeHead(308, { location: '/moved/v1/events' }).end()
        else if (request.url === '/moved/v1/events') response.writeHead(307, { location: '/final' }).end()
        else response.writeHead(200).end('{"accepted":1,"duplicates":0,"errors":[]}')
      })
    })
    expect(await send(endpoint)).toEqual({ kind: 'delivered', accepted: 1, duplicates: 0, rejections: [] })
    expect(seen).toEqual([
      { url: '/v1/events', authorization: 'Bearer k', events: 1 },
      { url: '/moved/v1/events', authorization: 'Bearer k', events: 1 },
      { url: '/final', authorization: 'Bearer k', events: 1 },
    ])
  })

  it('stops at another origin or another kind of redirect, and says to change the endpoint', async () => {
    const elsewhere = await serve((_request, response) => response.writeHead(200).end('{}'))
    const crossOrigin = await serve((request, response) => {
      request.resume()
      response.writeHead(308, { location: `${elsewhere}/v1/events` }).end()
    })
    const moved = await serve((request, response) => {
      request.resume()
      response.writeHead(301, { location: 'https://acp.example.com/v1/events' }).end()
    })
    expect(await send(crossOrigin)).toEqual({
      kind: 'rejected',
      httpStatus: 308,
      message: `the endpoint redirects to ${elsewhere}/v1/events; set the profiler's endpoint (ACP_ENDPOINT) to the address the events should reach`,
      rejections: [],
    })
    expect(await send(moved)).toMatchObject({
      kind: 'rejected',
      httpStatus: 301,
      message: expect.stringContaining('redirects to https://acp.example.com/v1/events'),
    })
  })

  it('names the URL it posted to on a 404 or another 4xx not about the batch, and says what to set', async () => {
    // The server's own 404 for a path it does not serve, as an endpoint given with /v1 reaches it.
    const base = await serve((request, response) => {
      request.resume()
      const status = request.url === '/v1/events' ? 401 : 404
      const message = status === 401 ? 'Unknown or revoked API key.' : 'No such endpoint.'
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ error: { code: 'X', message } }))
    })
    expect(await send(`${base}/v1`)).toEqual({
      kind: 'rejected',
      httpStatus: 404,
      message: `${base}/v1/v1/events answered "No such endpoint."; check the endpoint option (ACP_ENDPOINT): it must be the server's base URL, such as http://127.0.0.1:4000, without /v1/events (the SDK adds that); here that is ${base}`,
      rejections: [],
    })
    expect(await send(`${base}/v1/events`)).toMatchObject({
      message: expect.stringMatching(
        new RegExp(`^${base}/v1/events/v1/events answered .*; here that is ${base}$`),
      ),
    })
    expect(await send(`${base}/acp`)).toMatchObject({
      message: expect.stringMatching(/\(ACP_ENDPOINT\).* without \/v1\/events \(the SDK adds that\)$/),
    })
    expect(await send(base)).toEqual({
      kind: 'rejected',
      httpStatus: 401,
      message: `${base}/v1/events answered "Unknown or revoked API key."; check the apiKey option (ACP_API_KEY), a key of that server's project, and that the endpoint option (ACP_ENDPOINT) is that server's base URL`,
      rejections: [],
    })
  })

  it('leaves a 4xx about the batch itself as the server said it', async () => {
    const endpoint = await serve((request, response) => {
      request.resume()
      response.writeHead(415, { 'content-type': 'application/json' })
      response.end('{"error":{"code":"UNSUPPORTED_CONTENT_ENCODING","message":"Use gzip."}}')
    })
    expect(await send(endpoint)).toEqual({
      kind: 'rejected',
      httpStatus: 415,
      message: 'Use gzip.',
      rejections: [],
    })
  })
})
