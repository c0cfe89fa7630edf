import { type LlmCallEventInput, llmCallEventSchema } from '@ai-cost-profiler/core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ProfilerError } from '../../profiler-error.ts'
import {
  type FakeHttpServer,
  type RecordedRequest,
  type Responder,
  sendJson,
  startFakeHttpServer,
} from '../../test-support/fake-http-server.ts'
import { createErrorReporter, type ErrorReporter } from '../error-reporter.ts'
import { DeferredEvent } from './deferred-event.ts'
import { EventTransport, type EventTransportOptions } from './event-transport.ts'

let sequence = 0
function makeEvent(): LlmCallEventInput {
  sequence++
  return {
    idempotencyKey: `key-${sequence}`,
    timestamp: new Date().toISOString(),
    provider: 'openai',
    model: 'gpt-4o-mini-2024-07-18',
    usage: { inputTokens: sequence, outputTokens: 1 },
  }
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time')
    await wait(5)
  }
}

/** Stores a batch by idempotency key, like the real server does. */
function storeBatch(stored: Map<string, LlmCallEventInput>, request: RecordedRequest) {
  const { events } = request.json() as { events: LlmCallEventInput[] }
  let accepted = 0
  let duplicates = 0
  for (const event of events) {
    const key = event.idempotencyKey ?? ''
    if (stored.has(key)) duplicates++
    else {
      stored.set(key, event)
      accepted++
    }
  }
  return { accepted, duplicates, errors: [] }
}

/** An ingest server that stores events by idempotency key. */
function deduplicatingIngest(stored: Map<string, LlmCallEventInput>): Responder {
  return (request, response) => sendJson(response, 200, storeBatch(stored, request))
}

const failWith =
  (status: number, headers: Record<string, string> = {}): Responder =>
  (_request, response) =>
    sendJson(response, status, { error: { code: 'X', message: `failed with ${status}` } }, headers)
const dropConnection: Responder = (_request, response) => {
  response.socket?.destroy()
}

let ingest: FakeHttpServer
let stored: Map<string, LlmCallEventInput>
let errors: ProfilerError[]
let transports: EventTransport[]

function createTransport(options: Partial<EventTransportOptions> = {}): EventTransport {
  const transport = new EventTransport({
    endpoint: ingest.url,
    apiKey: 'acp_key',
    batchSize: 10,
    compression: 'gzip',
    sendThread: 'worker',
    flushIntervalMs: 10,
    maxQueueSize: 1000,
    requestTimeoutMs: 1000,
    initialBackoffMs: 10,
    maxBackoffMs: 2000,
    breakerFailureThreshold: 10,
    breakerCooldownMs: 1000,
    reporter: createErrorReporter({ debug: false, onError: (error) => errors.push(error) }),
    random: () => 0.5,
    ...options,
  })
  transports.push(transport)
  return transport
}

/** The test reporter, keeping the transport's debug lines too ("retrying in … ms"). */
function reporterKeeping(debugLines: string[]): ErrorReporter {
  return {
    ...createErrorReporter({ debug: false, onError: (error) => errors.push(error) }),
    debug: (message) => debugLines.push(message),
  }
}

const droppedReports = () => errors.filter((error) => error.code === 'EVENTS_DROPPED')

const keysOf = (requests: RecordedRequest[]) =>
  requests.flatMap((request) =>
    (request.json() as { events: LlmCallEventInput[] }).events.map((e) => e.idempotencyKey),
  )

beforeEach(async () => {
  ingest = await startFakeHttpServer()
  stored = new Map()
  errors = []
  transports = []
  ingest.setDefault(deduplicatingIngest(stored))
})
afterEach(async () => {
  await Promise.all(transports.map((transport) => transport.close(0)))
  await ingest.close()
})

describe('EventTransport', () => {
  it('POSTs gzip-compressed batches of valid events with the API key', async () => {
    const transport = createTransport({ batchSize: 3 })
    for (let index = 0; index < 7; index++) transport.enqueue(makeEvent())
    await waitFor(() => transport.stats().sent === 7)

    const [first] = ingest.requests
    expect(first?.method).toBe('POST')
    expect(first?.path).toBe('/v1/events')
    expect(first?.headers).toMatchObject({
      authorization: 'Bearer acp_key',
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    })
    // What went over the wire is gzip (magic bytes 1f 8b).
    expect([...first!.wireBody.subarray(0, 2)]).toEqual([0x1f, 0x8b])
    const sizes = ingest.requests.map((request) => (request.json() as { events: unknown[] }).events.length)
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3)
    for (const event of stored.values()) expect(llmCallEventSchema.safeParse(event).success).toBe(true)
    expect(transport.stats()).toMatchObject({ queued: 0, sent: 7, dropped: 0, failedBatches: 0 })
  })

  it('sends plain JSON when compression is none, and the server reads the same events', async () => {
    const transport = createTransport({ batchSize: 5, compression: 'none' })
    for (let index = 0; index < 5; index++) transport.enqueue(makeEvent())
    await waitFor(() => transport.stats().sent === 5)

    const [first] = ingest.requests
    expect(first?.headers['content-encoding']).toBeUndefined()
    expect(first?.headers['content-length']).toBe(String(first?.wireBody.length))
    expect(first?.wireBody.toString('utf8')).toBe(first?.body)
    expect((first!.json() as { events: unknown[] }).events).toHaveLength(5)
    expect(stored.size).toBe(5)
  })

  it('sends a partial batch after the flush interval', async () => {
    const transport = createTransport({ batchSize: 100, flushIntervalMs: 30 })
    transport.enqueue(makeEvent())
    await wait(10)
    expect(ingest.requests).toHaveLength(0)
    await waitFor(() => stored.size === 1)
  })

  it('loses and doubles nothing when the server is down and comes back', async () => {
    ingest.enqueue(dropConnection, dropConnection, failWith(502), failWith(500))
    const transport = createTransport({ batchSize: 5 })
    const sent = Array.from({ length: 23 }, makeEvent)
    for (const event of sent) transport.enqueue(event)
    await waitFor(() => transport.stats().sent === 23)
    expect([...stored.keys()].sort()).toEqual(sent.map((event) => event.idempotencyKey).sort())
    expect(transport.stats()).toMatchObject({
      sent: 23,
      dropped: 0,
      failedBatches: 4,
      circuitState: 'closed',
    })
  })

  it('gives events without an idempotency key one when first sent, and keeps it for the resend', async () => {
    ingest.enqueue(failWith(503))
    const transport = createTransport({ batchSize: 2 })
    for (let index = 0; index < 2; index++) {
      const { idempotencyKey: _key, ...withoutKey } = makeEvent()
      transport.enqueue(withoutKey)
    }
    await waitFor(() => transport.stats().sent === 2)
    const [failed, resent] = ingest.requests.map((request) => keysOf([request]))
    expect(failed).toHaveLength(2)
    for (const key of failed ?? [])
      expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(new Set(failed).size).toBe(2)
    expect(resent).toEqual(failed)
  })

  it('resends after a timeout and the server counts the resend as a duplicate, not a new event', async () => {
    ingest.enqueue((request, response) => {
      // Store the batch but answer only after the client gave up waiting.
      storeBatch(stored, request)
      setTimeout(() => response.destroy(), 300)
    })
    const transport = createTransport({ requestTimeoutMs: 50 })
    const sent = Array.from({ length: 4 }, makeEvent)
    for (const event of sent) transport.enqueue(event)
    await waitFor(() => transport.stats().duplicates === 4)
    expect(stored.size).toBe(4)
    expect(keysOf(ingest.requests)).toHaveLength(8)
    expect(transport.stats()).toMatchObject({ sent: 0, duplicates: 4, failedBatches: 1, dropped: 0 })
  })

  it('honours Retry-After on 429 and 503 storms', async () => {
    ingest.enqueue(failWith(429, { 'retry-after': '0.15' }), failWith(503, { 'retry-after': '0.15' }))
    const transport = createTransport()
    const started = Date.now()
    transport.enqueue(makeEvent())
    await waitFor(() => stored.size === 1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    expect(ingest.requests).toHaveLength(3)
    expect(transport.stats().failedBatches).toBe(2)
  })

  it('honours a whole-second Retry-After', async () => {
    ingest.enqueue(failWith(429, { 'retry-after': '1' }))
    const transport = createTransport()
    transport.enqueue(makeEvent())
    await waitFor(() => ingest.requests.length === 1)
    const firstAt = Date.now()
    await waitFor(() => stored.size === 1)
    expect(Date.now() - firstAt).toBeGreaterThanOrEqual(950)
  })

  it('does not retry 400, 401, 403 or 413; drops and reports the batch', async () => {
    const transport = createTransport({ batchSize: 2 })
    for (const status of [400, 401, 403, 413]) {
      ingest.enqueue(failWith(status))
      transport.enqueue(makeEvent())
      await waitFor(() => errors.length > 0)
      const [error] = errors.splice(0)
      expect(error).toMatchObject({ code: 'EVENTS_REJECTED', httpStatus: status, droppedEvents: 1 })
      expect(error?.message).toContain(`failed with ${status}`)
    }
    await wait(50)
    expect(ingest.requests).toHaveLength(4)
    expect(transport.stats()).toMatchObject({ dropped: 4, failedBatches: 0, sent: 0 })
  })

  it('quotes the first reasons of a batch refused whole', async () => {
    const reasons = [0, 1, 2, 3].map((index) => ({
      index,
      path: 'usage.reasoningTokens',
      code: 'PART_EXCEEDS_WHOLE',
      message: `reasoningTokens exceeds outputTokens (${index})`,
    }))
    ingest.enqueue((_request, response) =>
      sendJson(response, 400, {
        accepted: 0,
        duplicates: 0,
        errors: reasons,
        error: {
          code: 'INVALID_EVENTS',
          message: 'All 4 event(s) were rejected; see "errors" for each one.',
          details: reasons,
        },
      }),
    )
    const transport = createTransport({ batchSize: 4 })
    for (let index = 0; index < 4; index++) transport.enqueue(makeEvent())
    await waitFor(() => errors.length === 1)
    expect(errors[0]).toMatchObject({ code: 'EVENTS_REJECTED', httpStatus: 400, droppedEvents: 4 })
    expect(errors[0]?.message).toContain(
      '; first: usage.reasoningTokens PART_EXCEEDS_WHOLE: reasoningTokens exceeds outputTokens (0); usage.reasoningTokens',
    )
    expect(errors[0]?.message).toContain('(1); usage.reasoningTokens')
    expect(errors[0]?.message).toMatch(/\(2\) \(and 1 more\)$/)
  })

  it('drops and reports once what a 2xx answer other than the ingest API took', async () => {
    ingest.setDefault((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' })
      response.end('<html>dashboard</html>')
    })
    const transport = createTransport({ batchSize: 2 })
    for (let index = 0; index < 4; index++) transport.enqueue(makeEvent())
    await waitFor(() => transport.stats().dropped === 4)
    expect(ingest.requests).toHaveLength(2)
    expect(transport.stats()).toMatchObject({ sent: 0, dropped: 4, failedBatches: 0 })
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: 'EVENTS_REJECTED', httpStatus: 200, droppedEvents: 2 })
    expect(errors[0]?.message).toContain('does not look like an AI Cost Profiler server')
    expect(errors[0]?.message).toContain('ACP_ENDPOINT')
  })

  it('counts events the server refuses in a 207', async () => {
    ingest.enqueue((_request, response) =>
      sendJson(response, 207, {
        accepted: 1,
        duplicates: 0,
        errors: [{ index: 1, path: 'usage.inputTokens', code: 'INVALID_TYPE', message: 'must be int' }],
      }),
    )
    const transport = createTransport()
    transport.enqueue(makeEvent())
    transport.enqueue(makeEvent())
    await waitFor(() => errors.length === 1)
    expect(errors[0]).toMatchObject({ code: 'EVENTS_REJECTED', droppedEvents: 1 })
    expect(errors[0]?.message).toContain('usage.inputTokens')
    expect(transport.stats()).toMatchObject({ sent: 1, dropped: 1 })
  })

  it('counts each event once and reports a 2xx answer whose counts do not add up, without resending', async () => {
    const answers = [
      // Nothing stored, nothing refused: the events would vanish from stats().
      { accepted: 0, duplicates: 0, errors: [] },
      { accepted: 0 },
      // More than sent: sent would be inflated.
      { accepted: 50, duplicates: 50 },
      // Refusals naming no event of the batch.
      { accepted: 3, errors: [{ index: 0 }, { index: 7 }, { path: 'x' }] },
      // Too few: the rest counts as stored, beside the duplicates said.
      { accepted: 2, duplicates: 1, errors: [] },
    ]
    const transport = createTransport({ batchSize: 5, flushIntervalMs: 60_000 })
    for (const answer of answers) {
      ingest.enqueue((_request, response) => sendJson(response, 200, answer))
      for (let index = 0; index < 5; index++) transport.enqueue(makeEvent())
      await transport.flush(2000)
    }
    expect(ingest.requests).toHaveLength(answers.length)
    expect(errors.map((error) => [error.code, error.droppedEvents, error.httpStatus])).toEqual([
      ['EVENTS_UNCONFIRMED', 0, 200],
      ['EVENTS_UNCONFIRMED', 0, 200],
      ['EVENTS_UNCONFIRMED', 0, 200],
      ['EVENTS_UNCONFIRMED', 1, 200],
      ['EVENTS_UNCONFIRMED', 0, 200],
    ])
    expect(errors[0]?.message).toContain(
      'with counts that do not add up (accepted 0 + duplicates 0 + 0 refused is not the 5 sent)',
    )
    expect(errors[0]?.message).toContain('5 counted as sent, 0 as duplicates and 0 as dropped')
    expect(errors[2]?.message).toContain('5 counted as sent, 0 as duplicates and 0 as dropped')
    expect(errors[3]?.message).toContain('2 of its errors name no event of the batch')
    expect(errors[3]?.message).toContain('4 counted as sent, 0 as duplicates and 1 as dropped')
    expect(errors[4]?.message).toContain('4 counted as sent, 1 as duplicates and 0 as dropped')
    expect(transport.stats()).toMatchObject({ queued: 0, inFlight: 0, sent: 23, duplicates: 1, dropped: 1 })
  })

  it('takes an event listed once per refused field as one refused event', async () => {
    ingest.enqueue((_request, response) =>
      sendJson(response, 207, {
        accepted: 1,
        duplicates: 0,
        errors: [
          { index: 1, path: 'usage.inputTokens', code: 'INVALID_TYPE', message: 'must be int' },
          { index: 1, path: 'model', code: 'MISSING_FIELD', message: 'is required' },
        ],
      }),
    )
    const transport = createTransport({ batchSize: 2 })
    transport.enqueue(makeEvent())
    transport.enqueue(makeEvent())
    await waitFor(() => errors.length === 1)
    expect(errors[0]).toMatchObject({ code: 'EVENTS_REJECTED', droppedEvents: 1 })
    expect(transport.stats()).toMatchObject({ sent: 1, dropped: 1 })
  })

  it('counts every event in exactly one bucket while onError runs', async () => {
    // A handler logging stats() next to the error it got: the batch being settled is in one bucket.
    let enqueued = 0
    const seen: Array<{ code: string; counted: number; enqueued: number }> = []
    let transport: EventTransport | undefined
    const onError = (error: ProfilerError) => {
      const { queued, inFlight, sent, duplicates, dropped } = transport!.stats()
      seen.push({ code: error.code, counted: queued + inFlight + sent + duplicates + dropped, enqueued })
    }
    transport = createTransport({
      batchSize: 2,
      breakerFailureThreshold: 1,
      breakerCooldownMs: 60_000,
      reporter: createErrorReporter({ debug: false, onError }),
    })
    const enqueue = () => {
      for (let index = 0; index < 2; index++) {
        transport!.enqueue(makeEvent())
        enqueued++
      }
    }
    ingest.enqueue(failWith(400))
    enqueue()
    await waitFor(() => seen.length === 1)
    ingest.enqueue((_request, response) =>
      sendJson(response, 207, {
        accepted: 1,
        duplicates: 0,
        errors: [{ index: 1, path: 'usage.inputTokens', code: 'INVALID_TYPE', message: 'must be int' }],
      }),
    )
    enqueue()
    await waitFor(() => seen.length === 2)
    // A failure that opens the circuit: the batch is back in the queue when CIRCUIT_OPEN is reported.
    ingest.enqueue(failWith(500))
    enqueue()
    await waitFor(() => seen.length === 3)
    // An event that cannot be built is dropped from the request being built, and reported.
    ingest.setDefault(deduplicatingIngest(stored))
    const unbuildable = new (class extends DeferredEvent {
      toEvent(): LlmCallEventInput {
        throw new Error('cannot build')
      }
    })()
    const other = createTransport({ batchSize: 2, reporter: createErrorReporter({ debug: false, onError }) })
    transport = other
    enqueued = 2
    other.enqueue(unbuildable)
    other.enqueue(makeEvent())
    await waitFor(() => seen.length === 4)
    expect(seen).toEqual([
      { code: 'EVENTS_REJECTED', counted: 2, enqueued: 2 },
      { code: 'EVENTS_REJECTED', counted: 4, enqueued: 4 },
      { code: 'CIRCUIT_OPEN', counted: 6, enqueued: 6 },
      { code: 'INTERNAL_ERROR', counted: 2, enqueued: 2 },
    ])
  })

  it('keeps memory bounded while the server is down and reports every dropped event', async () => {
    ingest.setDefault(failWith(503))
    const transport = createTransport({ maxQueueSize: 5, batchSize: 5, initialBackoffMs: 1000 })
    for (let index = 0; index < 30; index++) transport.enqueue(makeEvent())
    await waitFor(() => transport.stats().failedBatches >= 1)
    await wait(30)
    const stats = transport.stats()
    expect(stats.queued + stats.inFlight).toBeLessThanOrEqual(5)
    expect(stats.dropped).toBe(25)
    const reported = errors
      .filter((error) => error.code === 'EVENTS_DROPPED')
      .reduce((sum, error) => sum + (error.droppedEvents ?? 0), 0)
    expect(reported).toBe(25)
  })

  // Sending blocked by an open circuit, or by the backoff after a failure, for far longer than the test.
  const outages = [
    {
      blockedBy: 'an open circuit',
      failure: dropConnection,
      options: { breakerFailureThreshold: 1, breakerCooldownMs: 60_000 },
    },
    {
      blockedBy: 'the backoff',
      failure: failWith(503),
      options: { initialBackoffMs: 120_000, maxBackoffMs: 120_000 },
    },
  ]

  it.each(outages)(
    'reports drops at most once per flush interval while $blockedBy blocks sending, with exact counts',
    async ({ failure, options }) => {
      ingest.setDefault(failure)
      const transport = createTransport({
        maxQueueSize: 5,
        batchSize: 5,
        flushIntervalMs: 60_000,
        ...options,
      })
      for (let index = 0; index < 5; index++) transport.enqueue(makeEvent())
      await waitFor(() => transport.stats().failedBatches === 1 && transport.stats().queued === 5)
      // One call at a time, as a host's requests come: each one drops the oldest queued event.
      for (let index = 1; index <= 300; index++) {
        transport.enqueue(makeEvent())
        expect(transport.stats().dropped).toBe(index)
        await wait(1)
      }
      expect(droppedReports().length).toBeLessThanOrEqual(1)
      expect(ingest.requests).toHaveLength(1)

      await transport.close(0)
      const reported = droppedReports()
      expect(reported.length).toBeLessThanOrEqual(2)
      expect(reported.reduce((sum, error) => sum + (error.droppedEvents ?? 0), 0)).toBe(300)
    },
  )

  it.each(outages)(
    'arms no immediate send for a full batch while $blockedBy blocks sending',
    async ({ failure, options }) => {
      ingest.setDefault(failure)
      const transport = createTransport({ batchSize: 5, flushIntervalMs: 60_000, ...options })
      for (let index = 0; index < 5; index++) transport.enqueue(makeEvent())
      await waitFor(() => transport.stats().failedBatches === 1 && transport.stats().queued === 5)
      const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
      try {
        for (let index = 0; index < 50; index++) {
          transport.enqueue(makeEvent())
          await wait(1)
        }
        const immediate = setTimeoutSpy.mock.calls.filter(([, delayMs]) => delayMs === 0)
        expect(immediate).toHaveLength(0)
      } finally {
        setTimeoutSpy.mockRestore()
      }
      expect(transport.stats()).toMatchObject({ queued: 55, dropped: 0 })
      expect(ingest.requests).toHaveLength(1)
    },
  )

  it('waits at least the backoff after Retry-After: 0', async () => {
    ingest.enqueue(failWith(503, { 'retry-after': '0' }))
    const debugLines: string[] = []
    // First backoff with random 0.5: 150 ms.
    const transport = createTransport({ initialBackoffMs: 200, reporter: reporterKeeping(debugLines) })
    const started = Date.now()
    transport.enqueue(makeEvent())
    await waitFor(() => stored.size === 1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(145)
    expect(ingest.requests).toHaveLength(2)
    expect(debugLines.find((line) => line.includes('retrying in'))).toContain('retrying in 150 ms')
  })

  it('spreads the retries of clients told the same Retry-After, never before it', async () => {
    ingest.setDefault(failWith(429, { 'retry-after': '1' }))
    const delays: number[] = []
    for (const random of [() => 0, () => 0.99]) {
      const debugLines: string[] = []
      const transport = createTransport({ random, reporter: reporterKeeping(debugLines) })
      transport.enqueue(makeEvent())
      await waitFor(() => debugLines.some((line) => line.includes('retrying in')))
      const line = debugLines.find((candidate) => candidate.includes('retrying in')) ?? ''
      delays.push(Number(/retrying in (\d+) ms/.exec(line)?.[1]))
      await transport.close(0)
    }
    const [first, second] = delays
    expect(first).toBeGreaterThanOrEqual(1000)
    expect(second).toBeGreaterThan(first!)
  })

  it('opens the circuit after repeated failures, probes after the cool-down and closes on success', async () => {
    ingest.setDefault(dropConnection)
    const transport = createTransport({
      breakerFailureThreshold: 3,
      breakerCooldownMs: 300,
      initialBackoffMs: 1,
    })
    transport.enqueue(makeEvent())
    await waitFor(() => transport.stats().circuitState === 'open')
    expect(errors.map((error) => error.code)).toContain('CIRCUIT_OPEN')
    const requestsWhenOpened = ingest.requests.length
    expect(requestsWhenOpened).toBe(3)
    await wait(150)
    expect(ingest.requests).toHaveLength(requestsWhenOpened)

    // The probe after the cool-down fails: open again, for another cool-down.
    await waitFor(() => ingest.requests.length === requestsWhenOpened + 1)
    await wait(20)
    expect(transport.stats().circuitState).toBe('open')

    ingest.setDefault(deduplicatingIngest(stored))
    await waitFor(() => transport.stats().sent === 1)
    expect(stored.size).toBe(1)
    expect(transport.stats().circuitState).toBe('closed')
  })

  it('drains on close, then drops and reports late events', async () => {
    const transport = createTransport({ flushIntervalMs: 60_000, batchSize: 100 })
    for (let index = 0; index < 5; index++) transport.enqueue(makeEvent())
    await transport.close(2000)
    expect(stored.size).toBe(5)
    for (let index = 0; index < 3; index++) transport.enqueue(makeEvent())
    expect(transport.stats().dropped).toBe(3)
    // Reported once, not once per late call.
    expect(errors).toEqual([expect.objectContaining({ code: 'EVENTS_DROPPED', droppedEvents: 1 })])
    expect(errors[0]?.message).toContain('after shutdown()')
  })

  it('sends an event queued while close() drains, with the rest', async () => {
    // The first batch is answered late: close() waits for it, and a call ends meanwhile.
    let answerFirst: (() => void) | undefined
    ingest.enqueue((request, response) => {
      answerFirst = () => sendJson(response, 200, storeBatch(stored, request))
    })
    ingest.setDefault(deduplicatingIngest(stored))
    const transport = createTransport({ flushIntervalMs: 60_000, batchSize: 1 })
    transport.enqueue(makeEvent())
    await waitFor(() => transport.stats().inFlight === 1)
    const closed = transport.close(5_000)
    transport.enqueue(makeEvent())
    await waitFor(() => answerFirst !== undefined)
    answerFirst?.()
    await closed
    expect(transport.stats()).toMatchObject({ sent: 2, dropped: 0, queued: 0 })
    expect(stored.size).toBe(2)
    expect(errors).toEqual([])
    // Once closed, an event is dropped and said so.
    transport.enqueue(makeEvent())
    expect(transport.stats()).toMatchObject({ sent: 2, dropped: 1 })
    expect(droppedReports()).toHaveLength(1)
  })

  it('gives up at the shutdown deadline and reports what was left', async () => {
    ingest.setDefault(failWith(503, { 'retry-after': '10' }))
    const transport = createTransport({ flushIntervalMs: 60_000 })
    for (let index = 0; index < 3; index++) transport.enqueue(makeEvent())
    const started = Date.now()
    await transport.close(200)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(errors.at(-1)).toMatchObject({ code: 'SHUTDOWN_TIMEOUT', droppedEvents: 3 })
    expect(transport.stats()).toMatchObject({ queued: 0, dropped: 3 })
  })

  it('tries once more at shutdown when a Retry-After or an open circuit would pass the deadline', async () => {
    // One 503 asking for 30 s, then the server is back: shutdown neither waits 30 s nor gives up unsent.
    ingest.enqueue(failWith(503, { 'retry-after': '30' }))
    const transport = createTransport({ maxBackoffMs: 60_000 })
    for (let index = 0; index < 3; index++) transport.enqueue(makeEvent())
    await waitFor(() => transport.stats().failedBatches === 1)
    expect(transport.stats()).toMatchObject({ queued: 3 })
    await transport.close(2000)
    expect(stored.size).toBe(3)
    expect(transport.stats()).toMatchObject({ queued: 0, sent: 3, dropped: 0 })
    expect(errors).toEqual([])

    // Down long enough to open the circuit (cool-down 60 s), then back.
    ingest.setDefault(dropConnection)
    const broken = createTransport({ breakerFailureThreshold: 2, breakerCooldownMs: 60_000 })
    for (let index = 0; index < 3; index++) broken.enqueue(makeEvent())
    await waitFor(() => broken.stats().circuitState === 'open')
    expect(broken.stats()).toMatchObject({ queued: 3 })
    ingest.setDefault(deduplicatingIngest(stored))
    await broken.close(2000)
    expect(broken.stats()).toMatchObject({ queued: 0, sent: 3, dropped: 0 })
    expect(stored.size).toBe(6)
  })

  it('says why the last request failed when shutdown drops what is left, and how long it took', async () => {
    ingest.setDefault(failWith(503, { 'retry-after': '10' }))
    const transport = createTransport({ flushIntervalMs: 60_000 })
    transport.enqueue(makeEvent())
    // The shutdown began before this drain (it waited for calls under way first): counted from then.
    const startedAtMs = Date.now() - 300
    await transport.close(2_000, { startedAtMs, deadlineMs: startedAtMs + 2_300 })
    const tookMs = Date.now() - startedAtMs
    expect(ingest.requests).toHaveLength(2)
    // Retry-After is past the deadline: after its last attempt it gives up at once, not at the deadline.
    const message = errors.at(-1)?.message ?? ''
    expect(message).toMatch(
      /^shutdown\(\) gave up sending after \d+ ms, before its time limit \(shutdownTimeoutMs, 2300 ms\): its last attempt failed .* \(the last request failed with 503: .*\); 1 event\(s\) were dropped/,
    )
    const spentMs = Number(message.match(/after (\d+) ms/)?.[1])
    expect(spentMs).toBeGreaterThanOrEqual(300)
    expect(spentMs).toBeLessThanOrEqual(tookMs)
  })

  it('says it reached its time limit, and after how long, when a request never answers', async () => {
    ingest.setDefault(() => {
      // Takes the request and never answers.
    })
    const transport = createTransport({ flushIntervalMs: 60_000, requestTimeoutMs: 30_000 })
    transport.enqueue(makeEvent())
    await transport.flushBeforeExit(200)
    const message = errors.at(-1)?.message ?? ''
    expect(message).toMatch(
      /^the flush at exit reached its time limit \(shutdownTimeoutMs\) after \d+ ms, with sending unfinished; 1 event\(s\) were dropped \(0 queued, 1 in the request under way\)$/,
    )
    expect(Number(message.match(/after (\d+) ms/)?.[1])).toBeGreaterThanOrEqual(200)
  })

  it('abandons the request under way at the shutdown deadline and counts it; every shutdown waits for that', async () => {
    ingest.setDefault(() => {
      // Takes the request and never answers.
    })
    const transport = createTransport({ flushIntervalMs: 60_000, requestTimeoutMs: 30_000 })
    for (let index = 0; index < 15; index++) transport.enqueue(makeEvent())
    await waitFor(() => transport.stats().inFlight === 10 && ingest.requests.length === 1)
    let secondDone = false
    const first = transport.close(200)
    const second = transport.close(200).then(() => {
      secondDone = true
    })
    await wait(50)
    expect(secondDone).toBe(false)
    await Promise.all([first, second])
    const timeouts = errors.filter((error) => error.code === 'SHUTDOWN_TIMEOUT')
    expect(timeouts).toHaveLength(1)
    expect(timeouts[0]).toMatchObject({ droppedEvents: 15 })
    expect(timeouts[0]?.message).toContain('5 queued, 10 in the request under way')
    await wait(50)
    // The abandoned request does not come back into the counts when it fails.
    expect(transport.stats()).toMatchObject({
      queued: 0,
      inFlight: 0,
      sent: 0,
      dropped: 15,
      failedBatches: 0,
    })
  })

  /** Has the ingest refuse batches of more than `limit` events with a 413 (a proxy's limit), and count them. */
  const refuseBatchesOver = (limit: number) => {
    const refusals = { count: 0 }
    ingest.setDefault((request, response) => {
      const { events } = request.json() as { events: unknown[] }
      if (events.length > limit) {
        refusals.count++
        sendJson(response, 413, { error: { code: 'PAYLOAD_TOO_LARGE', message: 'too large' } })
        return
      }
      deduplicatingIngest(stored)(request, response)
    })
    return refusals
  }

  it('counts and reports once at exit what is queued, in the request under way, or in calls under way', async () => {
    ingest.setDefault(() => {
      // Takes the batch and never answers.
    })
    // Two calls under way, each counted once (the profiler marks them).
    let underWay = 2
    const transport = createTransport({
      batchSize: 2,
      maxQueueSize: 3,
      flushIntervalMs: 60_000,
      dropCallsUnderWay: () => {
        const marked = underWay
        underWay = 0
        return marked
      },
    })
    for (let index = 0; index < 2; index++) transport.enqueue(makeEvent())
    await waitFor(() => transport.stats().inFlight === 2)
    // One more than the queue holds: a drop still waiting for its summed report.
    for (let index = 0; index < 4; index++) transport.enqueue(makeEvent())
    transport.dropAtExit()()
    transport.dropAtExit()()
    expect(errors.map((error) => [error.code, error.droppedEvents])).toEqual([
      ['EVENTS_DROPPED', 1],
      ['EVENTS_DROPPED_AT_EXIT', 7],
    ])
    expect(errors[1]?.message).toContain(
      '7 event(s) not sent (3 queued, 2 in the request under way, 2 of calls still under way)',
    )
    expect(transport.stats()).toMatchObject({ queued: 0, inFlight: 0, dropped: 8 })
  })

  it('sends a batch the server refuses as too large again in halves', async () => {
    refuseBatchesOver(3)
    const transport = createTransport({ flushIntervalMs: 60_000 })
    for (let index = 0; index < 10; index++) transport.enqueue(makeEvent())
    expect(await transport.flush(5000)).toBe(true)
    expect(stored.size).toBe(10)
    expect(transport.stats()).toMatchObject({ sent: 10, dropped: 0 })
    expect(errors).toEqual([])
    const sizes = ingest.requests.map((request) => (request.json() as { events: unknown[] }).events.length)
    expect(sizes.slice(0, 3)).toEqual([10, 5, 3])
  })

  it('settles below a proxy limit in a few refusals when batches are large', async () => {
    const refusals = refuseBatchesOver(300)
    const transport = createTransport({ flushIntervalMs: 60_000, batchSize: 1_000, maxQueueSize: 20_000 })
    for (let round = 0; round < 10; round++) {
      for (let index = 0; index < 1_000; index++) transport.enqueue(makeEvent())
      expect(await transport.flush(10_000)).toBe(true)
    }
    expect(stored.size).toBe(10_000)
    expect(refusals.count).toBeLessThanOrEqual(8)
  })

  it('does not grow a batch back to a size the server refused as too large', async () => {
    const refusals = refuseBatchesOver(3)
    const transport = createTransport({ flushIntervalMs: 60_000 })
    for (let round = 0; round < 8; round++) {
      for (let index = 0; index < 10; index++) transport.enqueue(makeEvent())
      expect(await transport.flush(5000)).toBe(true)
    }
    expect(stored.size).toBe(80)
    expect(transport.stats()).toMatchObject({ sent: 80, dropped: 0 })
    // 10 and 5 are refused, then 4 (below the 5 refused, above the 3 that passed); never again.
    expect(refusals.count).toBe(3)
  })

  it.each([
    { failure: dropConnection, told: 'nothing' },
    { failure: failWith(503, { 'retry-after': '0' }), told: 'Retry-After: 0' },
  ])(
    'pauses an open circuit for its cool-down, not for the growing backoff, when told $told',
    async ({ failure }) => {
      ingest.setDefault(failure)
      // Backoff 75, 150, then 300 ms after the third failure; the cool-down is 50 ms.
      const transport = createTransport({
        breakerFailureThreshold: 3,
        breakerCooldownMs: 50,
        initialBackoffMs: 100,
        maxBackoffMs: 60_000,
      })
      transport.enqueue(makeEvent())
      await waitFor(() => transport.stats().circuitState === 'open')
      const openedAt = Date.now()
      expect(errors.find((error) => error.code === 'CIRCUIT_OPEN')?.message).toContain('pausing for 50 ms')
      await waitFor(() => ingest.requests.length === 4)
      expect(Date.now() - openedAt).toBeLessThan(250)
    },
  )

  it('flush() waits for a slow server within its timeout', async () => {
    ingest.setDefault((request, response) => {
      setTimeout(() => deduplicatingIngest(stored)(request, response), 100)
    })
    const transport = createTransport({ flushIntervalMs: 60_000 })
    transport.enqueue(makeEvent())
    expect(await transport.flush(20)).toBe(false)
    expect(await transport.flush(2000)).toBe(true)
    expect(stored.size).toBe(1)
  })
})
