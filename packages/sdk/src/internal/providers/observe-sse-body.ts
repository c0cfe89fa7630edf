import type { ErrorReporter } from '../error-reporter.ts'
import type { IterationObserver } from '../observe-async-iterator.ts'
import { runSafely } from '../run-safely.ts'
import { asFields, readString } from './read-fields.ts'

const LINE_END = /\r\n|\n|\r/

/** The error an `error` event stands for, shaped as Stainless SDKs throw it (`type` from its body). */
function streamError(body: unknown, data: string): Error {
  const error = asFields(asFields(body)?.error)
  return Object.assign(new Error(readString(error?.message) ?? data), {
    error: body,
    type: readString(error?.type),
  })
}

/**
 * Replaces `response.body` with a stream of the very same bytes that, as they pass to whoever reads
 * them, are decoded as server-sent events for `observer`: each event's JSON data as an item, an
 * `error` event as the stream's failure, then its end, failure or cancellation. For a response the
 * SDK parses outside the recorded call (Anthropic's message threads build their own stream from the
 * raw response), so the call is still seen. Reads only as fast as its reader does; `onFirstRead` is
 * told when its reader first asks for bytes.
 */
export function observeSseResponseBody(
  response: Response,
  observer: IterationObserver<unknown>,
  reporter: ErrorReporter,
  onFirstRead?: () => void,
): void {
  const source = response.body
  if (source === null) return
  const reader = source.getReader()
  const decoder = new TextDecoder()
  let pending = ''
  let eventName = ''
  let dataLines: string[] = []
  let settled = false
  let firstRead = onFirstRead
  const settle = (end: () => void) => {
    if (settled) return
    settled = true
    runSafely(reporter, 'observing a stream (end)', end)
  }
  const dispatch = () => {
    const name = eventName
    const data = dataLines.join('\n')
    eventName = ''
    dataLines = []
    if (data === '' || name === 'ping' || settled) return
    let parsed: unknown
    try {
      parsed = JSON.parse(data)
    } catch {
      return
    }
    if (name === 'error') settle(() => observer.onError(streamError(parsed, data)))
    else runSafely(reporter, 'observing a stream (event)', () => observer.onItem(parsed))
  }
  const readLine = (line: string) => {
    if (line === '') return dispatch()
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') eventName = value
    else if (field === 'data') dataLines.push(value)
  }
  const feed = (text: string) => {
    const lines = (pending + text).split(LINE_END)
    pending = lines.pop() ?? ''
    for (const line of lines) readLine(line)
  }
  const observed = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (firstRead) {
          const first = firstRead
          firstRead = undefined
          runSafely(reporter, 'observing a stream (first read)', first)
        }
        let result: Awaited<ReturnType<typeof reader.read>>
        try {
          result = await reader.read()
        } catch (error) {
          settle(() => observer.onError(error))
          controller.error(error)
          return
        }
        if (result.done) {
          feed(decoder.decode())
          if (pending !== '') readLine(pending)
          dispatch()
          settle(() => observer.onDone())
          controller.close()
          return
        }
        feed(decoder.decode(result.value, { stream: true }))
        controller.enqueue(result.value)
      },
      cancel(reason) {
        settle(() => observer.onCancel())
        return reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
  Object.defineProperty(response, 'body', { value: observed, configurable: true })
}
