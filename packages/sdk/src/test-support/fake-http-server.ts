import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

/** A request the fake server received, with its body already read (and gunzipped). */
export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingMessage['headers']
  /** The body's bytes as they came over the wire (before any gunzip). */
  wireBody: Buffer
  body: string
  json(): unknown
}

/** Answers one request; may write slowly, fail, or hang. */
export type Responder = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>

/** A node:http server on 127.0.0.1 and a random port that answers from a script of responders. */
export interface FakeHttpServer {
  url: string
  requests: RecordedRequest[]
  /** Queues responders used one per request, in order, before falling back to the default one. */
  enqueue(...responders: Responder[]): void
  setDefault(responder: Responder): void
  /** Forgets recorded requests and unused scripted responders. */
  reset(): void
  close(): Promise<void>
}

/** Writes a JSON body. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(JSON.stringify(body))
}

/** Options of `sendSse`. */
export interface SendSseOptions {
  /** Delay before each event, so time to first token is measurable. */
  delayMs?: number
  /** Stop after this many writes (events, unless `lastInOneWrite` joins some) without ending the response. */
  destroyAfter?: number
  /** Writes the last this many events (at least 1) in one write, as a server flushing an answer's end at once. */
  lastInOneWrite?: number
}

/** Writes server-sent events; `data` objects are JSON-encoded. */
export async function sendSse(
  response: ServerResponse,
  events: ReadonlyArray<{ event?: string; data: unknown }>,
  options: SendSseOptions = {},
): Promise<void> {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  const frame = ({ event, data }: { event?: string; data: unknown }) =>
    `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`
  const together = Math.min(Math.max(1, options.lastInOneWrite ?? 1), events.length)
  const writes = [
    ...events.slice(0, events.length - together).map(frame),
    events.slice(-together).map(frame).join(''),
  ]
  let index = 0
  for (const text of writes) {
    if (options.destroyAfter !== undefined && index >= options.destroyAfter) {
      response.destroy()
      return
    }
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs))
    if (response.destroyed) return
    response.write(text)
    index++
  }
  response.end()
}

/** Starts a fake HTTP server; the default answer is 404 until `setDefault` is called. */
export async function startFakeHttpServer(): Promise<FakeHttpServer> {
  const requests: RecordedRequest[] = []
  const script: Responder[] = []
  let fallback: Responder = (_request, response) =>
    sendJson(response, 404, { error: { message: 'no route' } })
  const server = createServer(async (incoming, response) => {
    // No Date header: two answers to the same request are then equal even across a second's turn.
    response.sendDate = false
    const chunks: Buffer[] = []
    for await (const chunk of incoming) chunks.push(chunk as Buffer)
    const wireBody = Buffer.concat(chunks)
    const raw = incoming.headers['content-encoding'] === 'gzip' ? gunzipSync(wireBody) : wireBody
    const body = raw.toString('utf8')
    const request: RecordedRequest = {
      method: incoming.method ?? 'GET',
      path: incoming.url ?? '/',
      headers: incoming.headers,
      wireBody,
      body,
      json: () => JSON.parse(body),
    }
    requests.push(request)
    const responder = script.shift() ?? fallback
    try {
      await responder(request, response)
    } catch {
      response.destroy()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...responders) => script.push(...responders),
    setDefault: (responder) => {
      fallback = responder
    },
    reset: () => {
      requests.length = 0
      script.length = 0
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
