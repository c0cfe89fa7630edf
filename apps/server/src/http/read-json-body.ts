import { isUtf8 } from 'node:buffer'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { ApiError } from './api-error.ts'

// Inflated in the thread pool: a 5 MB batch takes milliseconds the event loop keeps for other requests.
const gunzipAsync = promisify(gunzip)

/** Options for `readJsonBody`. */
export interface ReadJsonBodyOptions {
  /** Largest body accepted, after decompression. */
  maxBytes: number
  /**
   * The request's bytes straight from Node's socket, when the server runs on Node: reading them
   * there skips the conversion to a web stream that `request.body` costs on every request.
   */
  nodeBody?: AsyncIterable<Uint8Array>
  /** Told the bytes read so far after each chunk, before the next is read; it may throw to stop reading. */
  onBytesRead?: (total: number) => void
  /**
   * Told a gzip body's inflated size as its trailer states it, before inflating, and again with
   * `maxBytes` if it inflates to more (a body of several gzip members states only its last one's):
   * returns how many bytes it may inflate to; it may throw to refuse (the server has no room).
   */
  reserveInflated?: (bytes: number) => number
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(
    413,
    'PAYLOAD_TOO_LARGE',
    `The body is larger than ${maxBytes} bytes. Send fewer events per request.`,
  )
}

async function readLimited(request: Request, options: ReadJsonBodyOptions): Promise<Buffer> {
  const { maxBytes } = options
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBytes) throw tooLarge(maxBytes)
  const source = options.nodeBody ?? (request.body as unknown as AsyncIterable<Uint8Array> | null)
  if (!source) return Buffer.alloc(0)
  const chunks: Uint8Array[] = []
  let total = 0
  const iterator = source[Symbol.asyncIterator]()
  for (;;) {
    let next: IteratorResult<Uint8Array>
    try {
      next = await iterator.next()
    } catch {
      // The client closed the connection (or reset it) part way: its fault, not the database's.
      throw new ApiError(
        400,
        'BODY_INCOMPLETE',
        'The connection closed before the whole body arrived; nothing was stored. Send the batch again.',
      )
    }
    if (next.done) break
    const chunk = next.value
    total += chunk.byteLength
    if (total > maxBytes) throw tooLarge(maxBytes)
    options.onBytesRead?.(total)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, total)
}

// `application/json`, optionally with parameters (`; charset=utf-8`); not `application/json-patch+json`.
const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i
// A charset parameter other than UTF-8 (JSON is UTF-8 on the wire: RFC 8259).
const OTHER_CHARSET = /;\s*charset\s*=\s*(?!"?utf-?8"?\s*(;|$))/i

function requireJsonContentType(request: Request): void {
  const contentType = request.headers.get('content-type') ?? ''
  if (!JSON_CONTENT_TYPE.test(contentType)) {
    throw new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type must be application/json, not "${contentType || 'missing'}".`,
    )
  }
  if (OTHER_CHARSET.test(contentType)) {
    throw new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `JSON is read as UTF-8 only; send the body in UTF-8 with Content-Type application/json, not "${contentType}".`,
    )
  }
}

// A gzip member ends with its inflated size modulo 2^32 (ISIZE, RFC 1952), after a header of at least 10 bytes.
const GZIP_MIN_BYTES = 18

function statedInflatedBytes(body: Buffer): number {
  return body.length >= GZIP_MIN_BYTES ? body.readUInt32LE(body.length - 4) : 0
}

async function gunzipWithin(body: Buffer, maxOutputLength: number): Promise<Buffer | 'too large'> {
  try {
    return await gunzipAsync(body, { maxOutputLength: Math.max(1, maxOutputLength) })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return 'too large'
    throw invalidGzip()
  }
}

function invalidGzip(): ApiError {
  return new ApiError(
    400,
    'INVALID_GZIP',
    'The body is not valid gzip. Compress it with gzip or drop Content-Encoding.',
  )
}

/**
 * Inflates a gzip body, never to more than `maxBytes`, nor to more than `reserveInflated` granted: the
 * room for the inflated bytes is taken before they exist, so small bodies that inflate a
 * hundredfold cannot fill the server's memory.
 */
async function inflate(body: Buffer, options: ReadJsonBodyOptions): Promise<Buffer> {
  const { maxBytes, reserveInflated } = options
  // Every gzip member starts with 1f 8b: without them (JSON sent with the header by mistake) the last
  // four bytes are no size, and the answer is that the body is not gzip, not that it is too large.
  if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) throw invalidGzip()
  // A stated size over the limit is not taken at its word either (a stream cut short ends in compressed
  // bytes): inflating within the limit tells a body too large from a damaged one.
  const stated = Math.min(statedInflatedBytes(body), maxBytes)
  const granted = reserveInflated ? Math.min(maxBytes, reserveInflated(stated)) : maxBytes
  let inflated = await gunzipWithin(body, granted)
  if (inflated === 'too large' && granted < maxBytes && reserveInflated) {
    inflated = await gunzipWithin(body, Math.min(maxBytes, reserveInflated(maxBytes)))
  }
  if (inflated === 'too large') throw tooLarge(maxBytes)
  return inflated
}

async function decode(request: Request, body: Buffer, options: ReadJsonBodyOptions): Promise<string> {
  // An empty header is no encoding; `x-gzip` is gzip's old name (RFC 9110).
  const encoding = (request.headers.get('content-encoding') || 'identity').trim().toLowerCase()
  let bytes: Buffer
  if (encoding === 'gzip' || encoding === 'x-gzip') bytes = await inflate(body, options)
  else if (encoding === 'identity') bytes = body
  else {
    throw new ApiError(
      415,
      'UNSUPPORTED_CONTENT_ENCODING',
      `Content-Encoding "${encoding}" is not supported; send gzip or leave the header out.`,
    )
  }
  // Invalid bytes would be stored as U+FFFD without a word; they are refused instead.
  if (!isUtf8(bytes)) {
    throw new ApiError(400, 'INVALID_JSON', 'The body is not valid UTF-8; send JSON encoded as UTF-8.')
  }
  return bytes.toString('utf8')
}

/**
 * Reads a JSON body's text (plain or `Content-Encoding: gzip`) within a size limit, checking the
 * content type; each failure is a 4xx that says what to change. `parseJsonText` turns it into a value.
 */
export async function readJsonText(request: Request, options: ReadJsonBodyOptions): Promise<string> {
  requireJsonContentType(request)
  return await decode(request, await readLimited(request, options), options)
}

/** Parses JSON text read by `readJsonText`; invalid JSON is a 400 that quotes the parser. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    // A byte-order mark is invisible in the parser's message ("Unexpected token '\uFEFF'").
    if (text.startsWith('\uFEFF')) {
      throw new ApiError(
        400,
        'INVALID_JSON',
        'The body starts with a UTF-8 byte-order mark (EF BB BF), which JSON does not allow; send the JSON without it.',
      )
    }
    throw new ApiError(400, 'INVALID_JSON', `The body is not valid JSON: ${(error as Error).message}.`)
  }
}

/** `readJsonText` then `parseJsonText`. */
export async function readJsonBody(request: Request, options: ReadJsonBodyOptions): Promise<unknown> {
  return parseJsonText(await readJsonText(request, options))
}

/**
 * `readJsonBody` for a body that may be left out: no bytes at all (no body, `Content-Length: 0`) is
 * `undefined`, whatever the Content-Type; a body with bytes must be JSON.
 */
export async function readOptionalJsonBody(request: Request, options: ReadJsonBodyOptions): Promise<unknown> {
  const body = await readLimited(request, options)
  if (body.byteLength === 0) return undefined
  requireJsonContentType(request)
  return parseJsonText(await decode(request, body, options))
}
