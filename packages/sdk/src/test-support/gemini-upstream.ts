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

/**
 * The stream fixture with a last chunk that gives the output count alone (as some gateways send it):
 * the prompt and thoughts counts are only in the chunks before.
 */
export const chunksWithPartialLastUsage: readonly unknown[] = [
  chunks[0],
  chunks[1],
  { ...chunks[2], usageMetadata: { candidatesTokenCount: 14, totalTokenCount: 1622 } },
]
