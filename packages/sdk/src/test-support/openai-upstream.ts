import chunks from '../__fixtures__/openai/chat-completion-chunks.json' with { type: 'json' }
import { type Responder, type SendSseOptions, sendSse } from './fake-http-server.ts'

type Chunk = Record<string, unknown>

/**
 * Streams Chat Completions chunks the way OpenAI does: with `usage: null` on every chunk and a final
 * usage-only chunk only when the request asked for `stream_options.include_usage`.
 */
export function openAiChatStream(source: readonly Chunk[] = chunks, options: SendSseOptions = {}): Responder {
  return async (request, response) => {
    const body = request.json() as { stream_options?: { include_usage?: boolean } }
    const includeUsage = body.stream_options?.include_usage === true
    const events = source
      .filter((chunk) => includeUsage || (Array.isArray(chunk.choices) && chunk.choices.length > 0))
      .map((chunk) => {
        if (includeUsage) return { data: chunk }
        const { usage: _usage, ...rest } = chunk
        return { data: rest }
      })
    await sendSse(response, [...events, { data: '[DONE]' }], options)
  }
}

/** Builds `count` content chunks plus the closing and usage chunks, for long streams. */
export function manyChatChunks(count: number): Chunk[] {
  const [first, content, , finish, usage] = [chunks[0], chunks[1], chunks[2], chunks[4], chunks[5]] as Chunk[]
  const body = Array.from({ length: count }, (_, index) => ({
    ...content,
    choices: [{ index: 0, delta: { content: ` token${index}` }, logprobs: null, finish_reason: null }],
  }))
  return [first as Chunk, ...body, finish as Chunk, usage as Chunk]
}

/** Streams Responses API events (each SSE event named after its `type`). */
export function openAiResponsesStream(events: readonly Chunk[], options: SendSseOptions = {}): Responder {
  return (_request, response) =>
    sendSse(
      response,
      events.map((event) => ({ event: String(event.type), data: event })),
      options,
    )
}
