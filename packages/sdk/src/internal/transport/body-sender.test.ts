import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import type { SendThread } from '../../profiler-options.ts'
import type { PostRequest } from './body-poster.ts'
import { type BodySender, createBodySender } from './body-sender.ts'

let server: Server | undefined
const senders: BodySender[] = []
// What the senders were told of a send thread that could not start or failed: nothing, here.
const threadFailures: unknown[] = []
const threadFailed = (error: unknown) => threadFailures.push(error)

async function serve(listener: RequestListener): Promise<string> {
  server = createServer(listener)
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/events`
}

afterEach(async () => {
  expect(threadFailures.splice(0)).toEqual([])
  for (const sender of senders.splice(0)) sender.close()
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
  server = undefined
})

function readBody(request: import('node:http').IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = []
    request.on('data', (part: Buffer) => parts.push(part))
    request.on('end', () => resolve(Buffer.concat(parts)))
  })
}

describe.each<SendThread>(['worker', 'inline'])('createBodySender(%s)', (thread) => {
  function sender(): BodySender {
    const created = createBodySender(thread, threadFailed)
    senders.push(created)
    return created
  }
  const post = (request: Partial<PostRequest> & { url: string }, signal?: AbortSignal) =>
    sender().post({ headers: {}, body: 'x', gzip: false, timeoutMs: 5000, ...request }, signal)

  it('sends the text as UTF-8 with its length in bytes', async () => {
    let received: { length: unknown; body: string } | undefined
    const url = await serve(async (request, response) => {
      const body = (await readBody(request)).toString('utf8')
      received = { length: request.headers['content-length'], body }
      response.writeHead(200).end('{}')
    })
    const body = '{"events":[{"model":"ünïcode \u2028 €"}]}'
    const answer = await post({ url, headers: { 'Content-Type': 'application/json' }, body })
    expect(answer.status).toBe(200)
    expect(received).toEqual({ length: String(Buffer.byteLength(body)), body })
    expect(Buffer.byteLength(body)).toBeGreaterThan(body.length)
  })

  it('compresses the body when asked, and returns status, Retry-After and text', async () => {
    let received: { headers: Record<string, unknown>; body: string; bytes: number } | undefined
    const url = await serve(async (request, response) => {
      const raw = await readBody(request)
      received = { headers: request.headers, body: gunzipSync(raw).toString(), bytes: raw.length }
      response.writeHead(503, 'Busy', { 'retry-after': '7' }).end('{"error":{"message":"later"}}')
    })
    const body = JSON.stringify({ events: Array.from({ length: 50 }, () => ({ model: 'gpt-4o-mini' })) })
    const answer = await post({
      url,
      headers: { 'Content-Encoding': 'gzip', Authorization: 'Bearer k' },
      body,
      gzip: true,
    })
    expect(answer).toEqual({
      status: 503,
      statusMessage: 'Busy',
      retryAfter: '7',
      location: undefined,
      text: '{"error":{"message":"later"}}',
    })
    expect(received).toMatchObject({
      body,
      headers: { authorization: 'Bearer k', 'content-length': String(received?.bytes) },
    })
    expect(received!.bytes).toBeLessThan(body.length / 5)
  })

  it('sends a key with Latin-1 letters as the server reads it', async () => {
    let authorization: string | undefined
    const url = await serve(async (request, response) => {
      await readBody(request)
      authorization = Buffer.from(request.headers.authorization ?? '', 'latin1').toString('latin1')
      response.writeHead(200).end('{}')
    })
    await post({ url, headers: { Authorization: 'Bearer acp_clé_ñ' }, body: '{"events":[]}' })
    expect(authorization).toBe('Bearer acp_clé_ñ')
  })

  it('returns the Location of a redirect', async () => {
    const url = await serve((request, response) => {
      request.resume()
      request.on('end', () => response.writeHead(308, { location: '/moved' }).end())
    })
    expect(await post({ url })).toMatchObject({ status: 308, location: '/moved', text: '' })
  })

  it('reads an answer a proxy compressed', async () => {
    const url = await serve((request, response) => {
      request.resume()
      request.on('end', () =>
        response.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('{"accepted":1}')),
      )
    })
    expect((await post({ url })).text).toBe('{"accepted":1}')
  })

  it('keeps at most 1 MiB of an answer', async () => {
    const url = await serve((request, response) => {
      request.resume()
      request.on('end', () => response.writeHead(200).end('a'.repeat(3 * 1024 * 1024)))
    })
    expect((await post({ url })).text).toHaveLength(1024 * 1024)
  })

  it('fails with a TimeoutError when the answer does not end in time', async () => {
    const url = await serve((request, response) => {
      request.resume()
      // Headers at once, then the body never ends: the timeout covers the whole exchange.
      response.writeHead(200).write('{"acc')
    })
    await expect(post({ url, timeoutMs: 100 })).rejects.toMatchObject({
      name: 'TimeoutError',
      message: 'no answer within 100 ms',
    })
  })

  it('fails with an AbortError when the send is abandoned, before or while it runs', async () => {
    let requests = 0
    const url = await serve((request) => {
      requests++
      request.resume()
    })
    const abandon = new AbortController()
    const underWay = post({ url, gzip: true }, abandon.signal)
    while (requests === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    abandon.abort()
    await expect(underWay).rejects.toMatchObject({ name: 'AbortError', message: 'the send was abandoned' })
    await expect(post({ url }, abandon.signal)).rejects.toMatchObject({ name: 'AbortError' })
    expect(requests).toBe(1)
  })

  it('fails when the connection closes before the answer ends', async () => {
    const url = await serve((request, response) => {
      request.resume()
      response.writeHead(200, { 'content-length': '100' }).write('{"acc')
      setTimeout(() => response.destroy(), 20)
    })
    // Node reports the reset of the answer ("aborted"), or the poster its close before the end.
    await expect(post({ url })).rejects.toThrow(/^aborted$|^the connection closed before the answer ended$/)
  })

  it('fails with the system error code when nothing listens', async () => {
    const url = await serve(() => undefined)
    server?.close()
    await new Promise((resolve) => setTimeout(resolve, 10))
    await expect(post({ url })).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })
})

describe('the send thread', () => {
  it('is started again for a sender created after the last one closed', async () => {
    const url = await serve((request, response) => {
      request.resume()
      request.on('end', () => response.writeHead(200).end('{}'))
    })
    const first = createBodySender('worker', threadFailed)
    expect((await first.post({ url, headers: {}, body: 'x', gzip: false, timeoutMs: 5000 })).status).toBe(200)
    first.close()
    // Closing twice gives the thread up once.
    first.close()
    const second = createBodySender('worker', threadFailed)
    senders.push(second)
    expect((await second.post({ url, headers: {}, body: 'y', gzip: true, timeoutMs: 5000 })).status).toBe(200)
  })
})
