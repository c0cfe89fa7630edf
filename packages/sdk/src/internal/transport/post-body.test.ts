import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { postBody } from './post-body.ts'

let server: Server | undefined

async function serve(listener: RequestListener): Promise<URL> {
  server = createServer(listener)
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/events`)
}

afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
  server = undefined
})

describe('postBody', () => {
  it('sends a string body as UTF-8 with its length in bytes', async () => {
    let received: { length: unknown; body: string } | undefined
    const url = await serve((request, response) => {
      const parts: Buffer[] = []
      request.on('data', (part: Buffer) => parts.push(part))
      request.on('end', () => {
        received = { length: request.headers['content-length'], body: Buffer.concat(parts).toString('utf8') }
        response.writeHead(200).end('{}')
      })
    })
    const body = '{"events":[{"model":"ünïcode \u2028 €"}]}'
    const answer = await postBody({
      url,
      headers: { 'Content-Type': 'application/json' },
      body,
      timeoutMs: 5000,
    })
    expect(answer.status).toBe(200)
    expect(received).toEqual({ length: String(Buffer.byteLength(body)), body })
    expect(Buffer.byteLength(body)).toBeGreaterThan(body.length)
  })

  it('sends the body with its headers and length, and returns status, Retry-After and text', async () => {
    let received: { headers: Record<string, unknown>; body: string; method: string | undefined } | undefined
    const url = await serve((request, response) => {
      const parts: Buffer[] = []
      request.on('data', (part: Buffer) => parts.push(part))
      request.on('end', () => {
        received = {
          headers: request.headers,
          body: gunzipSync(Buffer.concat(parts)).toString(),
          method: request.method,
        }
        response.writeHead(503, 'Busy', { 'retry-after': '7' }).end('{"error":{"message":"later"}}')
      })
    })
    const body = gzipSync('{"events":[]}')
    const answer = await postBody({
      url,
      headers: { 'Content-Encoding': 'gzip', Authorization: 'Bearer k' },
      body,
      timeoutMs: 5000,
    })
    expect(answer).toEqual({
      status: 503,
      statusMessage: 'Busy',
      retryAfter: '7',
      text: '{"error":{"message":"later"}}',
    })
    expect(received).toMatchObject({
      method: 'POST',
      body: '{"events":[]}',
      headers: { authorization: 'Bearer k', 'content-length': String(body.length) },
    })
  })

  it('reads an answer a proxy compressed', async () => {
    const url = await serve((request, response) => {
      request.resume()
      request.on('end', () =>
        response.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('{"accepted":1}')),
      )
    })
    expect((await postBody({ url, headers: {}, body: Buffer.from('x'), timeoutMs: 5000 })).text).toBe(
      '{"accepted":1}',
    )
  })

  it('keeps at most 1 MiB of an answer', async () => {
    const url = await serve((request, response) => {
      request.resume()
      request.on('end', () => response.writeHead(200).end('a'.repeat(3 * 1024 * 1024)))
    })
    expect((await postBody({ url, headers: {}, body: Buffer.from('x'), timeoutMs: 5000 })).text).toHaveLength(
      1024 * 1024,
    )
  })

  it('fails with a TimeoutError when the answer does not end in time', async () => {
    const url = await serve((request, response) => {
      request.resume()
      // Headers at once, then the body never ends: the timeout covers the whole exchange.
      response.writeHead(200).write('{"acc')
    })
    await expect(
      postBody({ url, headers: {}, body: Buffer.from('x'), timeoutMs: 100 }),
    ).rejects.toMatchObject({
      name: 'TimeoutError',
      message: 'no answer within 100 ms',
    })
  })

  it('fails when the connection closes before the answer ends', async () => {
    const url = await serve((request, response) => {
      request.resume()
      response.writeHead(200, { 'content-length': '100' }).write('{"acc')
      setTimeout(() => response.destroy(), 20)
    })
    await expect(postBody({ url, headers: {}, body: Buffer.from('x'), timeoutMs: 5000 })).rejects.toThrow()
  })

  it('fails when nothing listens', async () => {
    const url = await serve(() => undefined)
    server?.close()
    await new Promise((resolve) => setTimeout(resolve, 10))
    await expect(
      postBody({ url, headers: {}, body: Buffer.from('x'), timeoutMs: 5000 }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })
})
