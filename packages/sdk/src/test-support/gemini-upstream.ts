import chunks from '../__fixtures__/gemini/stream-chunks.json' with { type: 'json' }
import { type Responder, type SendSseOptions, sendJson, sendSse } from './fake-http-server.ts'

/** Answers like the Gemini API: JSON for generateContent, SSE (`alt=sse`) for streamGenerateContent. */
export function geminiJson(body: unknown, status = 200): Responder {
  return (_request, response) => sendJson(response, status, body)
}

/** Streams Gemini chunks as server-sent events. */
export function geminiStream(source: readonly unknown[] = chunks, options: SendSseOptions = {}): Responder {
  return (_request, response) =>
    sendSse(
      response,
      source.map((data) => ({ data })),
      options,
    )
}
