import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { gunzipSync } from 'node:zlib'

/** What the server answered: its status, the `Retry-After` header and the body as text. */
export interface PostAnswer {
  status: number
  /** The status line's reason phrase (`Service Unavailable`). */
  statusMessage: string
  retryAfter: string | undefined
  /** The `Location` header of a redirect. */
  location: string | undefined
  text: string
}

// An ingest answer is a few hundred bytes (a 207 lists one error per refused event); anything longer
// is cut, so a misbehaving server or proxy cannot make the host buffer without bound.
const MAX_ANSWER_BYTES = 1024 * 1024

function readAnswer(response: IncomingMessage): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    let length = 0
    let ended = false
    response.on('data', (part: Buffer) => {
      if (length >= MAX_ANSWER_BYTES) return
      parts.push(part)
      length += part.length
    })
    response.on('error', reject)
    response.on('end', () => {
      ended = true
      const retryAfter = response.headers['retry-after']
      let raw = Buffer.concat(parts)
      // Nothing asks for it (no Accept-Encoding), but a proxy may compress the answer anyway.
      if (response.headers['content-encoding'] === 'gzip') {
        try {
          raw = gunzipSync(raw, { maxOutputLength: MAX_ANSWER_BYTES })
        } catch {
          raw = Buffer.alloc(0)
        }
      }
      resolve({
        status: response.statusCode ?? 0,
        statusMessage: response.statusMessage ?? '',
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        location: response.headers.location,
        text: raw.toString('utf8', 0, Math.min(raw.length, MAX_ANSWER_BYTES)),
      })
    })
    response.on('close', () => {
      if (!ended) reject(new Error('the connection closed before the answer ended'))
    })
  })
}

/** Options of `postBody`. */
export interface PostBodyOptions {
  url: URL
  headers: Record<string, string>
  /** A string goes out as UTF-8. */
  body: Buffer | string
  /** How long the whole exchange may take, the answer's body included. */
  timeoutMs: number
  /** Aborting it ends the exchange at once (a shutdown that ran out of time). */
  signal?: AbortSignal | undefined
}

/**
 * POSTs `body` to an http(s) URL with Node's own client and its keep-alive agent, and resolves with
 * the answer; rejects on a network failure or when the whole exchange takes longer than `timeoutMs`.
 * Used instead of `fetch`: a batch costs the host several times less CPU this way (no WHATWG streams,
 * `Request` or `Headers` objects), and the transport needs none of what fetch adds.
 */
export function postBody(options: PostBodyOptions): Promise<PostAnswer> {
  const { url, headers, body, timeoutMs, signal } = options
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const request = send(url, {
      method: 'POST',
      headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
    })
    const timer = setTimeout(() => {
      const error = new Error(`no answer within ${timeoutMs} ms`)
      error.name = 'TimeoutError'
      request.destroy(error)
    }, timeoutMs)
    // A send under way never keeps the process alive, neither by its timer nor by its socket (which
    // the agent refs again when it hands a kept-alive socket to a request): a process that has finished
    // its work waits for it only in the bounded flush at exit (see EventTransport.flushBeforeExit).
    timer.unref()
    request.on('socket', (socket) => socket.unref())
    const abort = () => {
      const error = new Error('the send was abandoned')
      error.name = 'AbortError'
      request.destroy(error)
    }
    if (signal?.aborted) abort()
    else signal?.addEventListener('abort', abort, { once: true })
    const fail = (error: unknown) => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', abort)
      reject(error)
    }
    request.on('error', fail)
    request.on('response', (response: IncomingMessage) => {
      readAnswer(response).then((answer) => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', abort)
        resolve(answer)
      }, fail)
    })
    // Creating the request (the agent, the socket) and writing it are the two largest steps of a send,
    // both in Node's HTTP client code that a flush runs too rarely for V8 to optimise: each gets a turn.
    setImmediate(() => {
      if (!request.destroyed) request.end(body)
    })
  })
}
