/** One request body to POST, as the transport hands it over (to another thread, when it sends from one). */
export interface PostRequest {
  url: string
  headers: Record<string, string>
  /** The body as text; it goes out as UTF-8. */
  body: string
  /** Compress the body (gzip, fastest level) and send it with `Content-Encoding: gzip`. */
  gzip: boolean
  /** How long the whole exchange may take, the answer's body included. */
  timeoutMs: number
}

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

/** Why a post failed: a network error, the time limit (`TimeoutError`) or an abort (`AbortError`). */
export interface PostFailure {
  name: string
  message: string
  /** The system error's code (`ECONNREFUSED`), when there is one. */
  code: string | undefined
}

/** How one post ended: its answer, or why it failed. */
export type PostResult = { answer: PostAnswer } | { failure: PostFailure }

/** Sends request bodies: each post settles once, through the callback given with it. */
export interface BodyPoster {
  post(id: number, request: PostRequest, settle: (id: number, result: PostResult) => void): void
  /** Ends the post `id` at once, if it is still under way (a shutdown that ran out of time). */
  abort(id: number): void
}

/**
 * POSTs request bodies with Node's own client and its keep-alive agent. Used instead of `fetch`: a batch
 * costs several times less CPU this way (no WHATWG streams, `Request` or `Headers` objects), and the
 * transport needs none of what fetch adds.
 *
 * Self-contained: it reaches Node's modules through `process.getBuiltinModule` and nothing outside its
 * own body, because its source text is also what a send thread runs (see `startSendThread`). Edits must
 * keep it so; the send-thread tests run it there.
 */
export function createBodyPoster(): BodyPoster {
  const http = process.getBuiltinModule('node:http')
  const https = process.getBuiltinModule('node:https')
  const zlib = process.getBuiltinModule('node:zlib')
  // An ingest answer is a few hundred bytes (a 207 lists one error per refused event); anything longer
  // is cut, so a misbehaving server or proxy cannot make the host buffer without bound.
  const maxAnswerBytes = 1024 * 1024
  const underWay = new Map<number, (failure: PostFailure) => void>()

  function failureOf(error: unknown): PostFailure {
    const { name, message, code } = (error ?? {}) as { name?: unknown; message?: unknown; code?: unknown }
    return {
      name: typeof name === 'string' ? name : 'Error',
      message: typeof message === 'string' ? message : String(error),
      code: typeof code === 'string' ? code : undefined,
    }
  }

  function readAnswer(
    response: import('node:http').IncomingMessage,
    done: (answer: PostAnswer) => void,
  ): void {
    const parts: Buffer[] = []
    let length = 0
    response.on('data', (part: Buffer) => {
      if (length >= maxAnswerBytes) return
      parts.push(part)
      length += part.length
    })
    response.on('end', () => {
      const retryAfter = response.headers['retry-after']
      let raw = Buffer.concat(parts)
      // Nothing asks for it (no Accept-Encoding), but a proxy may compress the answer anyway.
      if (response.headers['content-encoding'] === 'gzip') {
        try {
          raw = zlib.gunzipSync(raw, { maxOutputLength: maxAnswerBytes })
        } catch {
          raw = Buffer.alloc(0)
        }
      }
      done({
        status: response.statusCode ?? 0,
        statusMessage: response.statusMessage ?? '',
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        location: response.headers.location,
        text: raw.toString('utf8', 0, Math.min(raw.length, maxAnswerBytes)),
      })
    })
  }

  function send(
    id: number,
    request: PostRequest,
    body: Buffer,
    settle: (id: number, result: PostResult) => void,
  ) {
    const url = new URL(request.url)
    const client = url.protocol === 'https:' ? https.request : http.request
    // A Buffer rather than the text: Node writes a request's head in its first string chunk's encoding
    // (UTF-8), which would garble a key's Latin-1 letters; beside a Buffer the head goes out in Latin-1.
    const outgoing = client(url, {
      method: 'POST',
      headers: { ...request.headers, 'Content-Length': String(body.length) },
    })
    let settled = false
    const finish = (result: PostResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      underWay.delete(id)
      settle(id, result)
    }
    const timer = setTimeout(() => {
      const error = new Error(`no answer within ${request.timeoutMs} ms`)
      error.name = 'TimeoutError'
      outgoing.destroy(error)
    }, request.timeoutMs)
    // A send under way never keeps the process alive, neither by its timer nor by its socket (which the
    // agent refs again when it hands a kept-alive socket to a request): a process that has finished its
    // work waits for it only in the bounded flush at exit (see EventTransport.flushBeforeExit).
    timer.unref()
    outgoing.on('socket', (socket) => socket.unref())
    underWay.set(id, (failure) => outgoing.destroy(Object.assign(new Error(failure.message), failure)))
    outgoing.on('error', (error) => finish({ failure: failureOf(error) }))
    outgoing.on('response', (response) => {
      response.on('error', (error) => finish({ failure: failureOf(error) }))
      // After the answer's end this does nothing: the post has settled.
      response.on('close', () =>
        finish({ failure: failureOf(new Error('the connection closed before the answer ended')) }),
      )
      readAnswer(response, (answer) => finish({ answer }))
    })
    // Creating the request (the agent, the socket) and writing it are the two largest steps of a send,
    // in Node's HTTP client code that a flush runs too rarely for V8 to optimise: each gets a turn.
    setImmediate(() => {
      if (!outgoing.destroyed) outgoing.end(body)
    })
  }

  return {
    post(id, request, settle) {
      let aborted: PostFailure | undefined
      // Aborted while the body is compressed: it is never sent.
      underWay.set(id, (failure) => {
        aborted = failure
      })
      const go = (body: Buffer) => {
        if (aborted) {
          underWay.delete(id)
          settle(id, { failure: aborted })
        } else send(id, request, body, settle)
      }
      if (!request.gzip) return go(Buffer.from(request.body, 'utf8'))
      // In the thread pool: even the fastest level takes a few tenths of a millisecond for realistic
      // event JSON. That level still shrinks event JSON several-fold, at a fraction of the default's CPU.
      zlib.gzip(request.body, { level: 1 }, (error, compressed) => {
        if (error) {
          underWay.delete(id)
          settle(id, { failure: failureOf(error) })
        } else {
          // The compressed body comes back with the stream's own bookkeeping in this turn; the request
          // is set up in the next (on the loop, each of these steps gets a turn of its own).
          setImmediate(() => go(compressed))
        }
      })
    },
    abort(id) {
      underWay.get(id)?.({ name: 'AbortError', message: 'the send was abandoned', code: undefined })
    },
  }
}
