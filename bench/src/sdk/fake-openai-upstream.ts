import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A local stand-in for the OpenAI API: one fixed completion, and a stream of `streamChunks` chunks. */
export interface FakeOpenAiUpstream {
  baseUrl: string
  close(): Promise<void>
}

const base = {
  id: 'chatcmpl-bench',
  created: 1763889600,
  model: 'gpt-4o-mini-2024-07-18',
  service_tier: 'default',
  system_fingerprint: 'fp_560af6e559',
}
const usage = {
  prompt_tokens: 1536,
  completion_tokens: 100,
  total_tokens: 1636,
  prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
}

function completionBody(): string {
  return JSON.stringify({
    ...base,
    object: 'chat.completion',
    choices: [
      { index: 0, message: { role: 'assistant', content: 'ok', refusal: null }, finish_reason: 'stop' },
    ],
    usage,
  })
}

/**
 * A chat stream as OpenAI sends it: `usage: null` in every chunk when include_usage is asked, then
 * a usage-only chunk, and after those keys the `obfuscation` padding OpenAI adds to each chunk.
 */
function streamBody(chunkCount: number, includeUsage: boolean): string {
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...(includeUsage ? { usage: null } : {}), ...extra, obfuscation: 'q7Xz' })}\n\n`
  const parts = [chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }])]
  for (let index = 0; index < chunkCount; index++) {
    parts.push(chunk([{ index: 0, delta: { content: ` token${index}` }, finish_reason: null }]))
  }
  parts.push(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]))
  if (includeUsage) parts.push(chunk([], { usage }))
  parts.push('data: [DONE]\n\n')
  return parts.join('')
}

/** Starts the fake upstream on 127.0.0.1 and a random port. Bodies are prebuilt so serving costs the same for every call. */
export async function startFakeOpenAiUpstream(streamChunks: number): Promise<FakeOpenAiUpstream> {
  const completion = completionBody()
  const streams = { withUsage: streamBody(streamChunks, true), withoutUsage: streamBody(streamChunks, false) }
  const server = createServer((request, response) => {
    let raw = ''
    request.setEncoding('utf8')
    request.on('data', (part: string) => {
      raw += part
    })
    request.on('end', () => {
      const body = JSON.parse(raw) as { stream?: boolean; stream_options?: { include_usage?: boolean } }
      if (!body.stream) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(completion)
        return
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' })
      response.end(body.stream_options?.include_usage ? streams.withUsage : streams.withoutUsage)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
