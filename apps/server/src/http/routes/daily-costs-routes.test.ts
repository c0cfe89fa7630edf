import { expect, it } from 'vitest'
import { callRow, insertCalls } from '../../jobs/__fixtures__/call-rows.ts'
import { JobMetrics } from '../../jobs/job-metrics.ts'
import { refreshRollups } from '../../jobs/rollup-refresh.ts'
import { createLogger } from '../../logging/logger.ts'
import { createTestApp } from '../../testing/create-test-app.ts'
import { describeEachDatabase } from '../../testing/test-databases.ts'

const NOW = Date.parse('2025-04-01T00:00:00Z')

describeEachDatabase('GET /v1/analytics/daily', (getDb) => {
  it('cuts days in the asked time zone and says when a +05:30 day starts at the nearest UTC hour', async () => {
    const db = getDb()
    const t = await createTestApp(db, { scopes: ['read'], now: () => NOW })
    await insertCalls(db, [
      callRow(t.project.id, { timestamp: '2025-03-10T18:10:00Z', costUsd: '1.000000000000' }), // 23:40 IST
      callRow(t.project.id, { timestamp: '2025-03-10T18:40:00Z', costUsd: '2.000000000000' }), // 00:10 IST
      callRow(t.project.id, { timestamp: '2025-03-10T19:05:00Z', costUsd: '4.000000000000' }), // 00:35 IST
    ])
    await refreshRollups({ db, logger: createLogger({ level: 'silent' }), metrics: new JobMetrics() })
    const daily = async (timeZone: string) =>
      (
        await t.get(
          `/v1/analytics/daily?from=2025-03-10&to=2025-03-11&timeZone=${encodeURIComponent(timeZone)}`,
        )
      ).body
    const kolkata = await daily('Asia/Kolkata')
    expect(kolkata).toMatchObject({ timeZone: 'Asia/Kolkata', dayBoundary: 'nearest-utc-hour' })
    // The UTC hour 18:00-19:00 starts at 23:30 on 10 March in Kolkata, so its 00:10 call counts on 10 March.
    expect(
      (kolkata.days as Array<Record<string, unknown>>).map((day) => [day.date, day.requests, day.costUsd]),
    ).toEqual([
      ['2025-03-10', 2, '3.000000000000'],
      ['2025-03-11', 1, '4.000000000000'],
    ])
    const paris = await daily('Europe/Paris')
    expect(paris).toMatchObject({ dayBoundary: 'exact' })
    expect((paris.days as Array<{ requests: number }>).map((day) => day.requests)).toEqual([3])
    const utc = await daily('UTC')
    expect(utc).toMatchObject({ dayBoundary: 'exact', unverifiedDays: [], staleDays: [] })
    expect(utc.days).toEqual([
      expect.objectContaining({
        date: '2025-03-10',
        requests: 3,
        verification: 'pending',
        source: 'hourly-rollup',
      }),
    ])
    // Every name of UTC has UTC's days, checked against their aggregates.
    for (const name of ['Etc/UTC', 'utc', 'GMT', 'Zulu']) {
      const other = await daily(name)
      expect(other).toMatchObject({ timeZone: name, dayBoundary: 'exact' })
      expect(other.days).toEqual(utc.days)
    }
    const offset = await t.get('/v1/analytics/daily?timeZone=%2B05%3A30')
    expect(offset.status).toBe(400)
  })
})

describeEachDatabase('GET /v1/analytics/daily of unpriced calls', (getDb) => {
  it('gives a day none of whose calls was priced a null cost, never $0', async () => {
    const db = getDb()
    const t = await createTestApp(db, { scopes: ['read'], now: () => NOW })
    const unpriced = { costUsd: null, costStatus: 'unpriced' as const, priceSource: null, priceEntryId: null }
    await insertCalls(db, [
      callRow(t.project.id, { timestamp: '2025-03-10T10:00:00Z', costUsd: '1.000000000000' }),
      callRow(t.project.id, { timestamp: '2025-03-10T11:00:00Z', model: 'gpt-unknown', ...unpriced }),
      callRow(t.project.id, { timestamp: '2025-03-11T10:00:00Z', model: 'gpt-unknown', ...unpriced }),
    ])
    await refreshRollups({ db, logger: createLogger({ level: 'silent' }), metrics: new JobMetrics() })
    const { body } = await t.get('/v1/analytics/daily?from=2025-03-10&to=2025-03-11')
    expect(
      (body.days as Array<Record<string, unknown>>).map((day) => [
        day.date,
        day.costUsd,
        day.requests,
        day.unpricedRequests,
      ]),
    ).toEqual([
      ['2025-03-10', '1.000000000000', 2, 1],
      ['2025-03-11', null, 1, 1],
    ])
  })
})

describeEachDatabase(
  'GET /v1/analytics/daily in time zones with a part-hour offset part of the year',
  (getDb) => {
    it('says the boundary is the nearest UTC hour when any day of the range has one, and refuses zones the database lacks', async () => {
      const t = await createTestApp(getDb(), { scopes: ['read'], now: () => NOW })
      // Lord Howe Island: +11:00 in the southern summer, +10:30 in winter.
      const boundary = async (from: string, to: string) =>
        (await t.get(`/v1/analytics/daily?from=${from}&to=${to}&timeZone=Australia%2FLord_Howe`)).body
          .dayBoundary
      expect(await boundary('2025-01-01', '2025-01-31')).toBe('exact')
      expect(await boundary('2025-01-01', '2025-12-31')).toBe('nearest-utc-hour')
      expect(await boundary('2024-06-01', '2024-06-30')).toBe('nearest-utc-hour')
      // Known to Node's time zone data, not to PostgreSQL's.
      const unknown = await t.get(
        '/v1/analytics/daily?from=2025-01-01&to=2025-01-02&timeZone=US%2FPacific-New',
      )
      expect({ status: unknown.status, body: unknown.body }).toMatchObject({
        status: 400,
        body: { error: { code: 'INVALID_QUERY', details: [{ path: 'timeZone' }] } },
      })
    })
  },
)

describeEachDatabase('GET /v1/analytics/daily at the edges of the calendar', (getDb) => {
  it('answers 400 at once for days outside 2000-01-01..9999-12-30 or not in the calendar, and serves the edges', async () => {
    const t = await createTestApp(getDb(), { scopes: ['read'], now: () => NOW })
    for (const query of [
      'from=9999-12-30&to=9999-12-31',
      'from=0000-12-30&to=0000-12-31',
      'from=1999-12-31&to=2000-01-01',
      'from=2025-02-29&to=2025-03-01',
    ]) {
      const response = await t.get(`/v1/analytics/daily?${query}`)
      expect({ query, status: response.status, body: response.body }).toMatchObject({
        query,
        status: 400,
        body: {
          error: {
            code: 'INVALID_QUERY',
            message: expect.stringMatching(
              /must be a real date written YYYY-MM-DD, from 2000-01-01 to 9999-12-30/,
            ),
          },
        },
      })
    }
    for (const [query, from, to] of [
      ['from=9999-12-01&to=9999-12-30&timeZone=Pacific%2FKiritimati', '9999-12-01', '9999-12-30'],
      ['from=2000-01-01&to=2000-01-02&timeZone=America%2FLos_Angeles', '2000-01-01', '2000-01-02'],
      // The default 30 days stop at the first supported day.
      ['to=2000-01-05', '2000-01-01', '2000-01-05'],
    ] as const) {
      const response = await t.get(`/v1/analytics/daily?${query}`)
      expect({ query, status: response.status, body: response.body }).toMatchObject({
        query,
        status: 200,
        body: { from, to, days: [] },
      })
    }
    // With `to` left to its default, today: a `from` after it is refused, not answered with no days.
    const late = await t.get('/v1/analytics/daily?from=2025-04-02')
    expect({ status: late.status, body: late.body }).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'INVALID_QUERY',
          message: 'Invalid query parameter(s): from must not be after to (today, 2025-04-01).',
          details: [{ path: 'from' }],
        },
      },
    })
  })
})
