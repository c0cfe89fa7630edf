import { expect, it } from 'vitest'
import { createTestApp } from '../../testing/create-test-app.ts'
import { describeEachDatabase } from '../../testing/test-databases.ts'

describeEachDatabase('GET /v1/events pagination', (getDb) => {
  it('walks every event exactly once, newest first, with filters', async () => {
    const t = await createTestApp(getDb())
    // 25 events, several sharing a timestamp, so the id tie-breaker matters.
    const events = Array.from({ length: 25 }, (_, index) => ({
      idempotencyKey: `e${index}`,
      timestamp: new Date(Date.UTC(2026, 10, 20, 10, Math.floor(index / 3))).toISOString(),
      provider: index % 2 === 0 ? 'openai' : 'anthropic',
      model: index % 2 === 0 ? 'gpt-4o-mini' : 'claude-3-5-haiku-20241022',
      usage: { inputTokens: 100 + index, outputTokens: 10 },
    }))
    expect((await t.postEvents(events)).body).toMatchObject({ accepted: 25 })

    const seen: string[] = []
    const timestamps: string[] = []
    let cursor: string | null = null
    do {
      const page = await t.get(`/v1/events?limit=10${cursor ? `&cursor=${cursor}` : ''}`)
      expect(page.status).toBe(200)
      for (const call of page.body.data as Array<{ idempotencyKey: string; timestamp: string }>) {
        seen.push(call.idempotencyKey)
        timestamps.push(call.timestamp)
      }
      cursor = page.body.nextCursor as string | null
    } while (cursor)
    expect(seen).toHaveLength(25)
    expect(new Set(seen).size).toBe(25)
    expect([...timestamps].sort().reverse()).toEqual(timestamps)

    const filtered = await t.get('/v1/events?provider=anthropic&limit=1000&from=2026-11-20T10:02:00Z')
    const calls = filtered.body.data as Array<{ provider: string; timestamp: string }>
    expect(calls.length).toBeGreaterThan(0)
    expect(calls.every((call) => call.provider === 'anthropic' && call.timestamp >= '2026-11-20T10:02')).toBe(
      true,
    )
  })

  it('rejects a forged cursor and bad parameters with 400', async () => {
    const t = await createTestApp(getDb())
    expect((await t.get('/v1/events?cursor=not-a-cursor')).body).toMatchObject({
      error: { code: 'INVALID_CURSOR' },
    })
    const bad = await t.get('/v1/events?limit=5000&from=yesterday&colour=red')
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ error: { code: 'INVALID_QUERY' } })
    expect(
      (bad.body.error as { details: Array<{ path: string }> }).details.map((detail) => detail.path).sort(),
    ).toEqual(['', 'from', 'limit'])
    // Decimal digits only; an empty limit is the default.
    for (const limit of ['abc', '0x3', '1e0', '2.5', '-1', '0']) {
      const refused = await t.get(`/v1/events?limit=${limit}`)
      expect(refused.status).toBe(400)
      expect(JSON.stringify(refused.body)).toMatch(/limit must be a whole number from 1 to 1000/)
      expect(JSON.stringify(refused.body)).not.toMatch(/NaN/)
    }
    expect((await t.get('/v1/events?limit=')).status).toBe(200)
    expect((await t.get('/v1/events?limit=0007')).status).toBe(200)
  })
})

describeEachDatabase('GET /v1/events pagination over one timestamp', (getDb) => {
  it('walks 1,006 events, 1,000 of them at one instant, each exactly once, by timestamp then id', async () => {
    const t = await createTestApp(getDb())
    const shared = '2026-11-20T10:00:00.000Z'
    const atShared = Array.from({ length: 1_000 }, (_, index) => ({
      idempotencyKey: `same-${index}`,
      timestamp: shared,
      provider: 'openai',
      model: 'gpt-4o-mini',
      usage: { inputTokens: 10, outputTokens: 1 },
    }))
    const around = [
      '2026-11-20T09:59:59.999Z',
      '2026-11-20T10:00:00.001Z',
      '2026-11-19T00:00:00.000Z',
    ].flatMap((timestamp, index) =>
      [0, 1].map((copy) => ({ ...atShared[0], idempotencyKey: `around-${index}-${copy}`, timestamp })),
    )
    expect((await t.postEvents(atShared)).body).toMatchObject({ accepted: 1_000 })
    expect((await t.postEvents(around)).body).toMatchObject({ accepted: 6 })

    const seen: Array<{ idempotencyKey: string; timestamp: string; id: string }> = []
    let cursor: string | null = null
    do {
      const page = await t.get(`/v1/events?limit=7${cursor ? `&cursor=${cursor}` : ''}`)
      expect(page.status).toBe(200)
      seen.push(...(page.body.data as typeof seen))
      cursor = page.body.nextCursor as string | null
    } while (cursor)
    expect(seen).toHaveLength(1_006)
    expect(new Set(seen.map((call) => call.idempotencyKey)).size).toBe(1_006)
    const outOfOrder = seen.findIndex((call, index) => {
      const next = seen[index + 1]
      if (!next) return false
      return (
        next.timestamp > call.timestamp ||
        (next.timestamp === call.timestamp && BigInt(next.id) >= BigInt(call.id))
      )
    })
    expect(outOfOrder).toBe(-1)
  })
})

describeEachDatabase('GET /v1/events refuses what it cannot answer with 400', (getDb) => {
  it('refuses crafted cursors, times outside 2000-01-01..9999-12-31 and from not before to', async () => {
    const t = await createTestApp(getDb())
    const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    for (const value of [
      ['2026-11-29T10:00:00Z', '9999999999999999999'],
      ['1', '1'],
      ['+099999-01-01T00:00:00Z', '1'],
    ]) {
      const page = await t.get(`/v1/events?cursor=${cursorOf(value)}`)
      expect({ value, status: page.status, body: page.body }).toMatchObject({
        value,
        status: 400,
        body: { error: { code: 'INVALID_CURSOR' } },
      })
    }
    for (const query of [
      'from=0000-01-01T00:00:00Z',
      'to=9999-12-31T23:00:00-10:00',
      'from=1999-12-31T23:59:59Z',
      'from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z',
      'from=2026-11-21T00:00:00Z&to=2026-11-21T01:00:00%2B01:00',
    ]) {
      const page = await t.get(`/v1/events?${query}`)
      expect({ query, status: page.status, body: page.body }).toMatchObject({
        query,
        status: 400,
        body: { error: { code: 'INVALID_QUERY', details: [{ path: expect.stringMatching(/^(from|to)$/) }] } },
      })
    }
    expect((await t.get('/v1/events?from=2026-11-21T00:00:00Z&to=9999-12-31T00:00:00Z')).status).toBe(200)
    // No stored text holds a NUL or a lone surrogate, so no filter may.
    // Nor is any stored empty: an empty filter would match nothing, silently.
    for (const query of [
      'feature=a%00b',
      'model=%00',
      'userId=%00',
      'conversationId=%00',
      'provider=%00',
      'model=',
      'feature=',
      'userId=',
      'conversationId=',
      'provider=',
    ]) {
      const page = await t.get(`/v1/events?${query}`)
      expect({
        query,
        status: page.status,
        code: (page.body.error as { code?: string } | undefined)?.code,
      }).toEqual({
        query,
        status: 400,
        code: 'INVALID_QUERY',
      })
    }
  })

  it('refuses a parameter given twice, and says how to write an offset a URL turned into a space', async () => {
    const t = await createTestApp(getDb())
    expect(await t.get('/v1/events?limit=1&limit=1000&feature=a&feature=b')).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'INVALID_QUERY',
          details: [{ path: 'limit, feature', message: 'are given more than once; give each once' }],
        },
      },
    })
    expect(await t.get('/v1/events?to=2026-11-21T03:00:00+01:00')).toMatchObject({
      status: 400,
      body: {
        error: { details: [{ path: 'to', message: expect.stringMatching(/write the offset's \+ as %2B$/) }] },
      },
    })
    expect((await t.get('/v1/events?to=2026-11-21T03:00:00%2B01:00')).status).toBe(200)
  })

  it('reads a cursor time with any offset, as the instant it names', async () => {
    const t = await createTestApp(getDb())
    const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    for (const time of ['2026-11-29T10:00:00+23:59', '2026-11-29T10:00:00.1234567-16:30']) {
      const page = await t.get(`/v1/events?cursor=${cursorOf([time, '1'])}`)
      expect({ time, status: page.status, data: page.body.data }).toEqual({ time, status: 200, data: [] })
    }
  })
})
