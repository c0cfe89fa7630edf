import { gzipSync } from 'node:zlib'
import { expect, it } from 'vitest'
import { migrateDown, migrateUp } from '../../storage/migrator.ts'
import { createTestApp } from '../../testing/create-test-app.ts'
import { describeEachDatabase } from '../../testing/test-databases.ts'

const example = {
  idempotencyKey: 'c1:m1:1763805600000',
  timestamp: '2026-11-22T10:00:00.000Z',
  provider: 'openai',
  model: 'gpt-4o-mini',
  feature: 'support-chat',
  conversationId: 'c1',
  messageId: 'm1',
  userId: 'u42',
  usage: { inputTokens: 10000, cacheReadInputTokens: 2048, outputTokens: 500 },
  latencyMs: 812,
  status: 'success',
  serviceTier: 'standard',
}

describeEachDatabase('POST /v1/events', (getDb) => {
  it('stores the documented example and prices it exactly', async () => {
    const t = await createTestApp(getDb())
    const posted = await t.postEvents([example])
    expect(posted.status).toBe(200)
    expect(posted.body).toEqual({ accepted: 1, duplicates: 0, errors: [] })
    const summary = await t.get('/v1/analytics/summary?from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z')
    expect(summary.status).toBe(200)
    expect(summary.body).toMatchObject({
      totalCostUsd: '0.001646400000',
      requests: 1,
      errors: 0,
      inputTokens: 10000,
      outputTokens: 500,
      cacheReadInputTokens: 2048,
      unpricedRequests: 0,
      byProvider: [expect.objectContaining({ provider: 'openai', costUsd: '0.001646400000', requests: 1 })],
      byModel: [
        expect.objectContaining({ provider: 'openai', model: 'gpt-4o-mini', costUsd: '0.001646400000' }),
      ],
    })
    const listed = await t.get('/v1/events')
    expect(listed.body.data).toEqual([
      expect.objectContaining({
        idempotencyKey: example.idempotencyKey,
        costUsd: '0.001646400000',
        costStatus: 'priced',
      }),
    ])
  })

  it('gives back the prompt hash a call was sent with, and its prompt text when asked', async () => {
    const t = await createTestApp(getDb())
    const promptText = 'When was my refund issued? 🧾'
    await t.postEvents([
      { ...example, promptText, promptHash: 'sha256:0123abcd' },
      { ...example, idempotencyKey: 'without-prompt' },
    ])
    // Asked for: a prompt may be 100,000 characters, so a page of them is smaller (50 at most).
    const listed = await t.get('/v1/events?includePromptText=true')
    expect(listed.body.data).toEqual([
      expect.objectContaining({ idempotencyKey: 'without-prompt', promptText: null, promptHash: null }),
      expect.objectContaining({
        idempotencyKey: example.idempotencyKey,
        promptText,
        promptHash: 'sha256:0123abcd',
      }),
    ])
    const plain = await t.get('/v1/events')
    expect((plain.body.data as Array<Record<string, unknown>>).map((call) => 'promptText' in call)).toEqual([
      false,
      false,
    ])
    expect((await t.get('/v1/events?includePromptText=1&limit=50')).status).toBe(200)
    expect(await t.get('/v1/events?includePromptText=true&limit=51')).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_QUERY', details: [{ path: 'limit' }] } },
    })
    expect((await t.get('/v1/events?includePromptText=yes')).status).toBe(400)
  })

  it('counts a resent event as a duplicate, never twice', async () => {
    const t = await createTestApp(getDb())
    expect((await t.postEvents([example])).body).toMatchObject({ accepted: 1, duplicates: 0 })
    expect((await t.postEvents([example])).body).toMatchObject({ accepted: 0, duplicates: 1 })
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () => t.postEvents([{ ...example, idempotencyKey: 'same' }])),
    )
    expect(concurrent.map((result) => result.status)).toEqual([200, 200, 200, 200, 200])
    expect(concurrent.reduce((sum, result) => sum + (result.body.accepted as number), 0)).toBe(1)
    const listed = await t.get('/v1/events')
    expect((listed.body.data as unknown[]).length).toBe(2)
  })

  it('derives a key from conversation, message and time when none is sent', async () => {
    const t = await createTestApp(getDb())
    const { idempotencyKey: _omit, ...withoutKey } = example
    expect((await t.postEvents([withoutKey])).body).toMatchObject({ accepted: 1 })
    expect((await t.postEvents([withoutKey])).body).toMatchObject({ accepted: 0, duplicates: 1 })
  })

  it('answers 207 with each bad event and stores only the good ones', async () => {
    const t = await createTestApp(getDb())
    const bad = {
      ...example,
      idempotencyKey: 'bad',
      usage: { inputTokens: 10, cacheReadInputTokens: 20, outputTokens: 1 },
    }
    const posted = await t.postEvents([example, bad])
    expect(posted.status).toBe(207)
    expect(posted.body).toMatchObject({
      accepted: 1,
      duplicates: 0,
      errors: [{ index: 1, path: 'usage.cacheReadInputTokens', code: 'PART_EXCEEDS_WHOLE' }],
    })
  })

  it('answers 400 when every event is bad, and stores nothing', async () => {
    const t = await createTestApp(getDb())
    const posted = await t.postEvents([{ ...example, usage: { inputTokens: -5, outputTokens: 0 } }])
    expect(posted.status).toBe(400)
    expect(posted.body).toMatchObject({ accepted: 0, error: { code: 'INVALID_EVENTS' } })
    expect(((await t.get('/v1/events')).body.data as unknown[]).length).toBe(0)
  })

  it('says that an impossible date does not exist, in an event and in a query, and stores nothing', async () => {
    const t = await createTestApp(getDb())
    const posted = await t.postEvents([{ ...example, timestamp: '2026-02-30T00:00:00Z' }])
    expect(posted).toMatchObject({
      status: 400,
      body: {
        errors: [
          {
            index: 0,
            path: 'timestamp',
            code: 'INVALID_VALUE',
            message: 'must be a real date: 2026-02-30 does not exist',
          },
        ],
      },
    })
    const listed = await t.get('/v1/events?from=2026-02-30T00:00:00Z')
    expect(listed).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'INVALID_QUERY',
          details: [{ path: 'from', message: 'must be a real date: 2026-02-30 does not exist' }],
        },
      },
    })
    expect(((await t.get('/v1/events')).body.data as unknown[]).length).toBe(0)
  })

  it('stores an unknown model as unpriced, never as $0, and says so', async () => {
    const t = await createTestApp(getDb())
    const posted = await t.postEvents([{ ...example, model: 'no-such-model-xyz' }])
    expect(posted.status).toBe(200)
    expect(posted.body.warnings).toEqual([expect.objectContaining({ index: 0, code: 'UNPRICED_MODEL' })])
    const summary = await t.get('/v1/analytics/summary?from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z')
    expect(summary.body).toMatchObject({ totalCostUsd: null, requests: 1, unpricedRequests: 1 })
    const listed = await t.get('/v1/events')
    expect(listed.body.data).toEqual([expect.objectContaining({ costUsd: null, costStatus: 'unpriced' })])
    // Sent again, it is a duplicate: nothing is stored, so there is nothing to warn about.
    const resent = await t.postEvents([{ ...example, model: 'no-such-model-xyz' }])
    expect(resent.body).toEqual({ accepted: 0, duplicates: 1, errors: [] })
  })

  it('marks a call whose client estimated its usage as estimated, and counts it so in the summary', async () => {
    const t = await createTestApp(getDb())
    const embedding = {
      idempotencyKey: 'embed-1',
      timestamp: '2026-11-22T10:00:00.000Z',
      provider: 'google',
      model: 'gemini-embedding-001',
      usage: { inputTokens: 2000, outputTokens: 0 },
      usageEstimated: true,
    }
    expect((await t.postEvents([embedding, example])).status).toBe(200)
    const listed = await t.get('/v1/events?model=gemini-embedding-001')
    // 2,000 × $0.15/M.
    expect(listed.body.data).toEqual([
      expect.objectContaining({ usageEstimated: true, costUsd: '0.000300000000', costStatus: 'estimated' }),
    ])
    expect((await t.get('/v1/events?model=gpt-4o-mini')).body.data).toEqual([
      expect.objectContaining({ usageEstimated: false, costStatus: 'priced' }),
    ])
    const summary = await t.get('/v1/analytics/summary?from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z')
    expect(summary.body).toMatchObject({ totalCostUsd: '0.001946400000', requests: 2, estimatedRequests: 1 })
  })

  it('stores a time with any offset and precision in UTC to the microsecond, on its own day', async () => {
    const t = await createTestApp(getDb())
    const posted = await t.postEvents([
      // PostgreSQL itself takes offsets only up to ±15:59.
      { ...example, idempotencyKey: 'far-east', timestamp: '2026-11-23T02:00:00+16:00' },
      // Digits past the microsecond are dropped, not rounded into the next day.
      { ...example, idempotencyKey: 'late', timestamp: '2026-11-22T23:59:59.9999999Z' },
      { ...example, idempotencyKey: 'ultrafast', model: 'gpt-6-astra', serviceTier: 'ultrafast' },
    ])
    expect(posted.body).toEqual({ accepted: 3, duplicates: 0, errors: [] })
    const listed = await t.get('/v1/events?from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z')
    const rows = listed.body.data as Array<Record<string, unknown>>
    expect(Object.fromEntries(rows.map((row) => [row.idempotencyKey, row.timestamp]))).toEqual({
      late: '2026-11-22T23:59:59.999999Z',
      'far-east': '2026-11-22T10:00:00.000000Z',
      ultrafast: '2026-11-22T10:00:00.000000Z',
    })
    // gpt-6-astra at Ultrafast, 6x $10 / $1 / $50: (7,952 × 60 + 2,048 × 6 + 500 × 300) µ$ = 639,408 µ$
    expect(rows.find((row) => row.idempotencyKey === 'ultrafast')).toMatchObject({
      serviceTier: 'ultrafast',
      costUsd: '0.639408000000',
    })
  })

  it('stores an Anthropic fast-mode call in its own tier, priced at the fast multiple', async () => {
    const t = await createTestApp(getDb())
    const opus = { ...example, provider: 'anthropic', model: 'claude-opus-4-6' }
    const posted = await t.postEvents([
      { ...opus, idempotencyKey: 'standard' },
      { ...opus, idempotencyKey: 'fast', serviceTier: 'fast' },
    ])
    expect(posted.body).toEqual({ accepted: 2, duplicates: 0, errors: [] })
    const rows = (await t.get('/v1/events?model=claude-opus-4-6')).body.data as Array<Record<string, unknown>>
    // claude-opus-4-6, $5 / $0.50 / $25: (7,952 × 5 + 2,048 × 0.50 + 500 × 25) µ$ = 53,284 µ$; fast 6x
    // = 319,704 µ$.
    expect(
      Object.fromEntries(rows.map((row) => [row.idempotencyKey, [row.serviceTier, row.costUsd]])),
    ).toEqual({
      standard: ['standard', '0.053284000000'],
      fast: ['fast', '0.319704000000'],
    })
  })

  it('keeps an OpenAI call sent as `fast` in that tier, and bills it as priority (OpenAI Fast mode)', async () => {
    const t = await createTestApp(getDb())
    const gpt5 = { ...example, model: 'gpt-5' }
    const posted = await t.postEvents([
      { ...gpt5, idempotencyKey: 'priority', serviceTier: 'priority' },
      { ...gpt5, idempotencyKey: 'fast', serviceTier: 'fast' },
    ])
    expect(posted.body).toEqual({ accepted: 2, duplicates: 0, errors: [] })
    const rows = (await t.get('/v1/events?model=gpt-5')).body.data as Array<Record<string, unknown>>
    // gpt-5 priority, $2.50 / $0.25 / $20: (7,952 × 2.50 + 2,048 × 0.25 + 500 × 20) µ$ = 30,392 µ$.
    expect(
      Object.fromEntries(rows.map((row) => [row.idempotencyKey, [row.serviceTier, row.costUsd]])),
    ).toEqual({
      priority: ['priority', '0.030392000000'],
      fast: ['fast', '0.030392000000'],
    })
  })

  it('accepts gzip bodies', async () => {
    const t = await createTestApp(getDb())
    const response = await t.app.request('/v1/events', {
      method: 'POST',
      headers: { ...t.headers, 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ events: [example] })),
    })
    expect(response.status).toBe(200)
  })

  it('refuses bodies that are not a batch with stable codes', async () => {
    const t = await createTestApp(getDb())
    const send = async (body: string | Uint8Array, headers: Record<string, string> = {}) => {
      const response = await t.app.request('/v1/events', {
        method: 'POST',
        headers: { ...t.headers, ...headers },
        body,
      })
      return {
        status: response.status,
        code: ((await response.json()) as { error: { code: string } }).error.code,
      }
    }
    expect(await send('{"events": [')).toEqual({ status: 400, code: 'INVALID_JSON' })
    expect(await send('[]')).toEqual({ status: 400, code: 'INVALID_BATCH' })
    expect(await send('{"events": []}')).toEqual({ status: 400, code: 'EMPTY_BATCH' })
    // A misspelt or unsupported field is refused, not ignored while the events are written.
    for (const body of [
      { events: [example], evnets: [{}] },
      { events: [example], dryRun: true },
    ]) {
      expect(await send(JSON.stringify(body))).toEqual({ status: 400, code: 'INVALID_BATCH' })
    }
    expect(await send(JSON.stringify({ events: new Array(1001).fill(example) }))).toEqual({
      status: 413,
      code: 'TOO_MANY_EVENTS',
    })
    expect(await send('x'.repeat(5 * 1024 * 1024 + 1))).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' })
    expect(await send('{}', { 'content-type': 'text/plain' })).toEqual({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    })
    for (const contentType of ['application/json-patch+json', 'application/json.foo']) {
      expect(await send(JSON.stringify({ events: [example] }), { 'content-type': contentType })).toEqual({
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      })
    }
    const charset = await t.postEvents([{ ...example, idempotencyKey: 'charset' }], {
      'content-type': 'application/json; charset=utf-8',
    })
    expect(charset.status).toBe(200)
    expect(await send('not gzip', { 'content-encoding': 'gzip' })).toEqual({
      status: 400,
      code: 'INVALID_GZIP',
    })
  })
})

describeEachDatabase('authentication', (getDb) => {
  it('refuses query parameters on a batch instead of ignoring them, and stores nothing', async () => {
    const t = await createTestApp(getDb())
    const response = await t.app.request('/v1/events?dryRun=1', {
      method: 'POST',
      headers: t.headers,
      body: JSON.stringify({ events: [example] }),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({
      error: {
        code: 'INVALID_QUERY',
        message: expect.stringMatching(/takes no query parameters; got dryRun/),
      },
    })
    expect(((await t.get('/v1/events')).body.data as unknown[]).length).toBe(0)
  })

  it('answers 401 without a key or with a wrong one, 403 without the scope', async () => {
    const t = await createTestApp(getDb(), { scopes: ['read'] })
    const noKey = await t.app.request('/v1/events')
    expect(noKey.status).toBe(401)
    const wrongKey = await t.app.request('/v1/events', { headers: { authorization: 'Bearer acp_nope' } })
    expect(((await wrongKey.json()) as { error: { code: string } }).error.code).toBe('INVALID_API_KEY')
    const forbidden = await t.postEvents([example])
    expect(forbidden.status).toBe(403)
    expect(forbidden.body).toMatchObject({ error: { code: 'FORBIDDEN' } })
  })
})

/**
 * A request body that arrives slowly: `head` at once, the rest when the returned `finish` is called.
 * `started` resolves once the server has read `head` and waits for more: a stream asks for its first
 * chunk as soon as it is made, so only the second ask says the server is reading.
 */
function slowBody(head: string, rest: string) {
  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => {
    finish = resolve
  })
  let reading: () => void = () => {}
  const started = new Promise<void>((resolve) => {
    reading = resolve
  })
  let reads = 0
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      reads++
      if (reads === 1) {
        controller.enqueue(new TextEncoder().encode(head))
        return
      }
      reading()
      await finished
      controller.enqueue(new TextEncoder().encode(rest))
      controller.close()
    },
  })
  return { body, started, finish }
}

/** Posts a body stream to the ingest route without a length, as a chunked upload. */
function postStream(t: Awaited<ReturnType<typeof createTestApp>>, body: ReadableStream<Uint8Array>) {
  return t.app.request('/v1/events', {
    method: 'POST',
    headers: t.headers,
    body,
    duplex: 'half',
  } as RequestInit)
}

describeEachDatabase('POST /v1/events under memory pressure', (getDb) => {
  it('answers 503 SERVER_BUSY while other batches hold the bytes in flight, and takes batches again after', async () => {
    const t = await createTestApp(getDb(), { maxIngestBytesInFlight: 2_000 })
    const text = JSON.stringify({ events: [example] })
    // A batch whose body is still arriving holds its declared bytes: its first read means the server
    // has taken them; the rest arrives when `finish` is called.
    const { body, started, finish } = slowBody(text.slice(0, 10), text.slice(10))
    const slow = t.app.request('/v1/events', {
      method: 'POST',
      headers: { ...t.headers, 'content-length': String(1_500) },
      body,
      duplex: 'half',
    } as RequestInit)
    await started
    const busy = await t.postEvents([{ ...example, idempotencyKey: 'second' }])
    expect(busy.status).toBe(503)
    expect(busy.response.headers.get('retry-after')).toBe('1')
    expect(busy.body).toMatchObject({ error: { code: 'SERVER_BUSY' } })
    finish()
    expect((await slow).status).toBe(200)
    expect((await t.postEvents([{ ...example, idempotencyKey: 'second' }])).body).toMatchObject({
      accepted: 1,
    })
  })

  it('counts a gzip body at its inflated size before inflating it, and refuses one the others leave no room for', async () => {
    const t = await createTestApp(getDb(), { maxIngestBytesInFlight: 64 * 1024 })
    const text = JSON.stringify({ events: [example] })
    // A batch still arriving holds its declared 1,500 bytes: 62.5 KB are left.
    const held = slowBody(text.slice(0, 10), text.slice(10))
    const holding = t.app.request('/v1/events', {
      method: 'POST',
      headers: { ...t.headers, 'content-length': String(1_500) },
      body: held.body,
      duplex: 'half',
    } as RequestInit)
    await held.started
    // 2 KB of gzip that inflates to 200 KB of JSON (whitespace): counted at 10 times 2 KB it would
    // pass; its trailer says 200 KB, more than the room left, so it is refused before it is inflated.
    const padded = `{"events": [${JSON.stringify({ ...example, idempotencyKey: 'padded' })}${' '.repeat(200 * 1024)}]}`
    const gzipped = gzipSync(padded)
    expect(gzipped.length).toBeLessThan(2_048)
    const busy = await t.app.request('/v1/events', {
      method: 'POST',
      headers: { ...t.headers, 'content-encoding': 'gzip', 'content-length': String(gzipped.length) },
      body: gzipped,
    })
    expect(busy.status).toBe(503)
    expect(await busy.json()).toMatchObject({ error: { code: 'SERVER_BUSY' } })
    held.finish()
    expect((await holding).status).toBe(200)
    // With the room back, the same body is taken.
    const taken = await t.app.request('/v1/events', {
      method: 'POST',
      headers: { ...t.headers, 'content-encoding': 'gzip', 'content-length': String(gzipped.length) },
      body: gzipped,
    })
    expect(await taken.json()).toMatchObject({ accepted: 1 })
  })

  it('takes a gzip body of several members, whose trailer states only the last one', async () => {
    const t = await createTestApp(getDb(), { maxIngestBytesInFlight: 1024 * 1024 })
    const text = JSON.stringify({ events: [{ ...example, idempotencyKey: 'members' }] })
    const body = Buffer.concat([gzipSync(text.slice(0, -5)), gzipSync(text.slice(-5))])
    const response = await t.app.request('/v1/events', {
      method: 'POST',
      headers: { ...t.headers, 'content-encoding': 'gzip', 'content-length': String(body.length) },
      body,
    })
    expect(await response.json()).toMatchObject({ accepted: 1 })
  })

  it('says a body cut off by the client is incomplete, not that the database failed', async () => {
    const t = await createTestApp(getDb())
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"events": ['))
        controller.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))
      },
    })
    const response = await postStream(t, broken)
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: { code: 'BODY_INCOMPLETE' } })
  })

  it('counts a chunked body by the bytes that arrived, not as the largest batch', async () => {
    // Room for several small chunked uploads at once, not for one counted at 5 MB.
    const t = await createTestApp(getDb(), { maxIngestBytesInFlight: 1024 * 1024 })
    const uploads = Array.from({ length: 7 }, (_, index) => {
      const text = JSON.stringify({ events: [{ ...example, idempotencyKey: `chunked-${index}` }] })
      const body = slowBody(text.slice(0, 10), text.slice(10))
      const response = postStream(t, body.body)
      return { ...body, response }
    })
    // All seven are being read at once; then each gets its answer.
    await Promise.all(uploads.map((upload) => upload.started))
    for (const upload of uploads) upload.finish()
    const statuses = await Promise.all(uploads.map(async (upload) => (await upload.response).status))
    expect(statuses).toEqual(Array(7).fill(200))
  })

  it('answers 503 SERVER_BUSY when a chunked body grows past the bytes the others leave', async () => {
    const t = await createTestApp(getDb(), { maxIngestBytesInFlight: 200 * 1024 })
    const text = JSON.stringify({ events: [example] })
    const held = slowBody(text.slice(0, 10), text.slice(10))
    const holding = postStream(t, held.body)
    await held.started
    // 300 KiB arriving without a declared length: more than the budget has left beside the first.
    const big = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let chunk = 0; chunk < 30; chunk++) controller.enqueue(new Uint8Array(10 * 1024).fill(32))
        controller.close()
      },
    })
    const busy = await postStream(t, big)
    expect(busy.status).toBe(503)
    expect(await busy.json()).toMatchObject({ error: { code: 'SERVER_BUSY' } })
    held.finish()
    expect((await holding).status).toBe(200)
  })
})

describeEachDatabase('requests against a schema older than the server', (getDb) => {
  it('answers 503 SCHEMA_NOT_CURRENT, saying to run migrate, instead of a bare 500', async () => {
    const db = getDb()
    const t = await createTestApp(db, { scopes: ['ingest', 'read'] })
    // 0009 added usage_estimated, which every read and write of calls uses.
    await migrateDown(db, { toVersion: '0008' })
    try {
      for (const response of [await t.get('/v1/events'), await t.postEvents([example])]) {
        expect(response.status).toBe(503)
        expect(response.response.headers.get('retry-after')).toBe('30')
        expect(response.body).toMatchObject({
          error: { code: 'SCHEMA_NOT_CURRENT', message: expect.stringContaining('ai-cost-profiler migrate') },
        })
      }
    } finally {
      await migrateUp(db)
    }
    expect((await t.get('/v1/events')).status).toBe(200)
  })

  it('answers 503 SCHEMA_NOT_CURRENT for a service tier the rolled-back schema does not allow yet', async () => {
    const db = getDb()
    const t = await createTestApp(db, { scopes: ['ingest', 'read'] })
    // 0010 added the fast tier to the CHECK of llm_calls.service_tier.
    await migrateDown(db, { toVersion: '0009' })
    try {
      const fast = { ...example, idempotencyKey: 'fast-on-0009', provider: 'anthropic', serviceTier: 'fast' }
      const response = await t.postEvents([fast])
      expect(response.status).toBe(503)
      expect(response.body).toMatchObject({ error: { code: 'SCHEMA_NOT_CURRENT' } })
    } finally {
      await migrateUp(db)
    }
  })
})
