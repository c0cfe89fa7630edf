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
  })
})
