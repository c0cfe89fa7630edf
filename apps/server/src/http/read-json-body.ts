import { gunzipSync } from 'node:zlib'
import { ApiError } from './api-error.ts'

/** Options for `readJsonBody`. */
export interface ReadJsonBodyOptions {
  /** Largest body accepted, after decompression. */
  maxBytes: number
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(
    413,
    'PAYLOAD_TOO_LARGE',
    `The body is larger than ${maxBytes} bytes. Send fewer events per request.`,
  )
}

async function readLimited(request: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBytes) throw tooLarge(maxBytes)
  if (!request.body) return Buffer.alloc(0)
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength
    if (total > maxBytes) throw tooLarge(maxBytes)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, total)
}

/**
 * Reads a JSON body (plain or `Content-Encoding: gzip`) within a size limit, checking the content
 * type; each failure is a 4xx that says what to change.
 */
export async function readJsonBody(request: Request, options: ReadJsonBodyOptions): Promise<unknown> {
  const contentType = request.headers.get('content-type') ?? ''
  if (!/^application\/json\b/i.test(contentType)) {
    throw new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type must be application/json, not "${contentType || 'missing'}".`,
    )
  }
  let body = await readLimited(request, options.maxBytes)
  const encoding = (request.headers.get('content-encoding') ?? 'identity').toLowerCase()
  if (encoding === 'gzip') {
    try {
      body = gunzipSync(body, { maxOutputLength: options.maxBytes })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(options.maxBytes)
      throw new ApiError(
        400,
        'INVALID_GZIP',
        'The body is not valid gzip. Compress it with gzip or drop Content-Encoding.',
      )
    }
  } else if (encoding !== 'identity') {
    throw new ApiError(
      415,
      'UNSUPPORTED_CONTENT_ENCODING',
      `Content-Encoding "${encoding}" is not supported; use gzip or none.`,
    )
  }
  try {
    return JSON.parse(body.toString('utf8'))
  } catch (error) {
    throw new ApiError(400, 'INVALID_JSON', `The body is not valid JSON: ${(error as Error).message}.`)
  }
}
