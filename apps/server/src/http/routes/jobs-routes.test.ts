import { randomUUID } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { expect, it } from 'vitest'
import { callRow, insertCalls } from '../../jobs/__fixtures__/call-rows.ts'
import { tryAcquireJobLease } from '../../storage/repositories/job-leases-repository.ts'
import { insertPriceOverride } from '../../storage/repositories/price-overrides-repository.ts'
import { createTestApp } from '../../testing/create-test-app.ts'
import { describeEachDatabase } from '../../testing/test-databases.ts'

const NOW = Date.parse('2025-05-02T09:00:00Z')

describeEachDatabase('POST /v1/jobs/{name}/run', (getDb) => {
  const post = async (t: Awaited<ReturnType<typeof createTestApp>>, path: string, body?: unknown) => {
    const response = await t.app.request(path, {
      method: 'POST',
      headers: body === undefined ? { authorization: t.headers.authorization } : t.headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }

  /** The rows of a run once the row of `job` has finished (within 20 s: a loaded machine is slow). */
  const finishedRun = async (t: Awaited<ReturnType<typeof createTestApp>>, runUrl: string, job: string) => {
    type Row = { job: string; status: string; targetDate: string | null; details: Record<string, unknown> }
    let runs: Row[] = []
    for (let tries = 0; tries < 2000; tries++) {
      runs = ((await t.get(runUrl)).body.runs as Row[] | undefined) ?? []
      if (runs.some((run) => run.job === job && run.status !== 'running')) break
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    return runs
  }

  it('starts a job with 202 and a run id whose rows can be read back', async () => {
    const t = await createTestApp(getDb(), { scopes: ['admin'], now: () => NOW })
    const started = await post(t, '/v1/jobs/daily-aggregation/run', { date: '2025-05-01' })
    expect(started).toEqual({
      status: 202,
      body: {
        runId: expect.any(String),
        job: 'daily-aggregation',
        status: 'started',
        runUrl: expect.stringMatching(/^\/v1\/jobs\/runs\//),
      },
    })
    expect(await finishedRun(t, started.body.runUrl as string, 'daily-aggregation')).toEqual([
      expect.objectContaining({
        job: 'daily-aggregation',
        targetDate: '2025-05-01',
        status: 'succeeded',
        trigger: 'api',
      }),
    ])
    expect((await post(t, '/v1/jobs/rollup-refresh/run')).status).toBe(202)
  })

  it('runs a backfill and a recompute inside the server (the way with the embedded database)', async () => {
    const t = await createTestApp(getDb(), { scopes: ['admin'], now: () => NOW })
    await insertCalls(getDb(), [
      callRow(t.project.id, { timestamp: '2025-04-28T10:00:00Z', costUsd: '0.500000000000' }),
      callRow(t.project.id, {
        timestamp: '2025-04-29T10:00:00Z',
        provider: 'acme',
        model: 'house-model',
        costUsd: null,
        costStatus: 'unpriced',
        priceSource: null,
        priceEntryId: null,
        inputTokens: 2_000_000,
        outputTokens: 0,
        cacheReadInputTokens: 0,
      }),
    ])
    const backfill = await post(t, '/v1/jobs/backfill/run', {
      from: '2025-04-28',
      to: '2025-04-29',
      delayMs: 0,
    })
    expect(backfill).toMatchObject({ status: 202, body: { job: 'backfill' } })
    const backfillRuns = await finishedRun(t, backfill.body.runUrl as string, 'backfill')
    expect(backfillRuns.map((run) => [run.job, run.targetDate, run.status]).sort()).toEqual([
      ['backfill', null, 'succeeded'],
      ['daily-aggregation', '2025-04-28', 'succeeded'],
      ['daily-aggregation', '2025-04-29', 'succeeded'],
    ])
    expect(await post(t, '/v1/jobs/backfill/run', { from: '2025-04-28', to: '2025-05-02' })).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_JOB_PARAMS', message: expect.stringMatching(/not over yet/) } },
    })

    await insertPriceOverride(getDb(), {
      projectId: t.project.id,
      provider: 'acme',
      model: 'house-model',
      effectiveFrom: '2025-01-01T00:00:00Z',
      prices: { input: '0.25', output: '1' },
    })
    const recompute = await post(t, '/v1/jobs/recompute/run', {
      from: '2025-04-28',
      to: '2025-04-29',
      projectId: t.project.id,
      model: 'house-model',
    })
    expect(recompute).toMatchObject({ status: 202, body: { job: 'recompute' } })
    const recomputeRuns = await finishedRun(t, recompute.body.runUrl as string, 'recompute')
    expect(recomputeRuns.find((run) => run.job === 'recompute')).toMatchObject({
      status: 'succeeded',
      details: {
        dryRun: false,
        projects: [
          expect.objectContaining({
            projectId: t.project.id,
            diff: [
              expect.objectContaining({
                model: 'house-model',
                costAfterUsd: '0.500000000000',
                newlyPriced: 1,
              }),
            ],
          }),
        ],
      },
    })
    // The re-priced day was re-aggregated in the same run.
    expect(recomputeRuns).toContainEqual(
      expect.objectContaining({ job: 'daily-aggregation', targetDate: '2025-04-29', status: 'succeeded' }),
    )
  })

  it('answers 409 while a run holds the job, naming that run', async () => {
    const t = await createTestApp(getDb(), { scopes: ['admin'], now: () => NOW })
    const holder = randomUUID()
    await tryAcquireJobLease(getDb(), {
      job: 'retention',
      holder: 'another-server',
      runId: holder,
      ttlMs: 60_000,
    })
    const refused = await post(t, '/v1/jobs/retention/run', { dryRun: true })
    expect(refused).toEqual({
      status: 409,
      body: {
        runningRunId: holder,
        error: { code: 'JOB_ALREADY_RUNNING', message: expect.stringMatching(/already running/) },
      },
    })
  })

  it('refuses unknown jobs, bad parameters, the open day and keys without admin', async () => {
    const admin = await createTestApp(getDb(), { scopes: ['admin'], now: () => NOW })
    expect(await post(admin, '/v1/jobs/reindex/run')).toMatchObject({
      status: 404,
      body: { error: { code: 'UNKNOWN_JOB' } },
    })
    expect(await post(admin, '/v1/jobs/daily-aggregation/run', { date: '2025-13-40' })).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_JOB_PARAMS', message: expect.stringMatching(/date/) } },
    })
    expect(await post(admin, '/v1/jobs/daily-aggregation/run', { date: '2025-05-02' })).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_JOB_PARAMS', message: expect.stringMatching(/not over yet/) } },
    })
    expect((await admin.get(`/v1/jobs/runs/${randomUUID()}`)).status).toBe(404)
    const reader = await createTestApp(getDb(), { scopes: ['read', 'ingest'] })
    expect(await post(reader, '/v1/jobs/rollup-refresh/run')).toMatchObject({
      status: 403,
      body: { error: { code: 'FORBIDDEN' } },
    })
  })
})

describeEachDatabase('POST /v1/jobs/{name}/run over HTTP', (getDb) => {
  /** Waits until no run of `job` from this test is still running, so the next start gets its lease. */
  const settled = async (t: Awaited<ReturnType<typeof createTestApp>>, runUrl: string) => {
    for (let tries = 0; tries < 500; tries++) {
      const runs = ((await t.get(runUrl)).body.runs as Array<{ status: string }> | undefined) ?? []
      if (runs.length > 0 && runs.every((run) => run.status !== 'running')) return
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    throw new Error(`${runUrl} did not finish`)
  }

  it('treats no body, as curl -X POST and fetch send it on Node, as no parameters', async () => {
    const t = await createTestApp(getDb(), { scopes: ['admin'], now: () => NOW })
    const server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 })
    try {
      await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', resolve)))
      const { port } = server.address() as AddressInfo
      const url = `http://127.0.0.1:${port}/v1/jobs/rollup-refresh/run`
      const authorization = t.headers.authorization

      const fetched = await fetch(url, { method: 'POST', headers: { authorization } })
      const fetchedBody = (await fetched.json()) as { runUrl: string }
      expect({ status: fetched.status, body: fetchedBody }).toMatchObject({
        status: 202,
        body: { status: 'started' },
      })
      await settled(t, fetchedBody.runUrl)

      // What curl -X POST sends: no body, Content-Length: 0, and no Content-Type.
      const curled = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const outgoing = httpRequest(
          url,
          { method: 'POST', headers: { authorization, 'content-length': '0' } },
          (incoming) => {
            let body = ''
            incoming.setEncoding('utf8')
            incoming.on('data', (chunk: string) => {
              body += chunk
            })
            incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body }))
          },
        )
        outgoing.on('error', reject)
        outgoing.end()
      })
      expect(curled.status).toBe(202)
      await settled(t, (JSON.parse(curled.body) as { runUrl: string }).runUrl)

      const empty = await fetch(url, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: '',
      })
      expect(empty.status).toBe(202)
      await settled(t, ((await empty.json()) as { runUrl: string }).runUrl)

      const notJson = await fetch(url, {
        method: 'POST',
        headers: { authorization, 'content-type': 'text/plain' },
        body: '{}',
      })
      expect({ status: notJson.status, body: await notJson.json() }).toMatchObject({
        status: 415,
        body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } },
      })
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('refuses days outside 2000-01-01..9999-12-30, or after today, with 400 before anything starts', async () => {
    const t = await createTestApp(getDb(), { scopes: ['admin'], now: () => NOW })
    const send = async (job: string, body: unknown) => {
      const response = await t.app.request(`/v1/jobs/${job}/run`, {
        method: 'POST',
        headers: t.headers,
        body: JSON.stringify(body),
      })
      return { job, body, status: response.status, answer: await response.json() }
    }
    for (const [job, body] of [
      ['daily-aggregation', { from: '9999-12-30', to: '9999-12-31', includeToday: true }],
      ['daily-aggregation', { date: '0000-12-31' }],
      ['backfill', { from: '1999-12-30', to: '1999-12-31' }],
      ['recompute', { from: '2025-01-01', to: '9999-12-31' }],
      // Today may be included; a day after it has not begun (now is 2025-05-02).
      ['backfill', { from: '2025-05-01', to: '2025-05-03', includeToday: true }],
      ['daily-aggregation', { from: '2025-05-02', to: '2025-05-03', includeToday: true }],
    ] as const) {
      expect(await send(job, body)).toMatchObject({
        job,
        body,
        status: 400,
        answer: { error: { code: 'INVALID_JOB_PARAMS' } },
      })
    }
  })
})
