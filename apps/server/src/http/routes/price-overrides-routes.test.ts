import { expect, it } from 'vitest'
import { createTestApp } from '../../testing/create-test-app.ts'
import { describeEachDatabase } from '../../testing/test-databases.ts'

const event = {
  idempotencyKey: 'override-1',
  timestamp: '2026-11-22T10:00:00.000Z',
  provider: 'openai',
  model: 'gpt-4o-mini',
  usage: { inputTokens: 10_000, outputTokens: 500 },
}

// $1/M input and $2/M output for gpt-4o-mini from 2026.
const override = {
  provider: 'openai',
  model: 'gpt-4o-mini',
  effectiveFrom: '2026-01-01',
  prices: { input: '1', output: '2' },
}

describeEachDatabase('/v1/price-overrides', (getDb) => {
  const send = async (
    t: Awaited<ReturnType<typeof createTestApp>>,
    method: string,
    path: string,
    body?: unknown,
  ) => {
    const response = await t.app.request(path, {
      method,
      headers: t.headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return {
      status: response.status,
      body: response.status === 204 ? null : ((await response.json()) as Record<string, unknown>),
    }
  }

  it('creates an override that ingest uses at once, and lists it', async () => {
    const t = await createTestApp(getDb(), { scopes: ['admin'] })
    const created = await send(t, 'POST', '/v1/price-overrides', override)
    expect(created).toEqual({
      status: 201,
      body: expect.objectContaining({
        id: expect.any(String),
        effectiveFrom: '2026-01-01T00:00:00.000Z',
        version: 1,
        prices: { input: '1', output: '2' },
      }),
    })
    expect((await t.postEvents([event])).status).toBe(200)
    const listed = await t.get('/v1/events')
    // 10,000 input tokens at $1/M plus 500 output tokens at $2/M.
    expect(listed.body.data).toEqual([
      expect.objectContaining({
        costUsd: '0.011000000000',
        costStatus: 'priced',
        priceSource: 'override',
        priceEntryId: created.body?.id,
      }),
    ])
    expect((await t.get('/v1/price-overrides')).body.data).toEqual([created.body])
    expect(
      await send(t, 'POST', '/v1/price-overrides', {
        provider: 'openai',
        model: 'gpt-4o-mini',
        effectiveFrom: '2026-01-01T00:00:00Z',
        prices: { input: '3', output: '4' },
      }),
    ).toMatchObject({ status: 409, body: { error: { code: 'PRICE_OVERRIDE_EXISTS' } } })
  })

  it('refuses a second override of the same model from the same instant in another spelling, naming the first', async () => {
    const t = await createTestApp(getDb(), { scopes: ['admin'] })
    const at = (model: string, effectiveFrom = '2026-11-27', provider = 'openai') =>
      send(t, 'POST', '/v1/price-overrides', {
        provider,
        model,
        effectiveFrom,
        prices: { input: '1', output: '1' },
      })
    const first = await at('gpt-4o')
    expect(first.status).toBe(201)
    const id = first.body?.id as string
    // Another case, and another way of writing the same instant: pricing would see two overrides of
    // gpt-4o from one instant, and which one priced a call would depend on the database's collation.
    for (const [model, effectiveFrom] of [
      ['GPT-4o', '2026-11-27'],
      ['gpt-4o', '2026-11-27T01:00:00+01:00'],
    ]) {
      const refused = await at(model!, effectiveFrom)
      expect(refused, model).toEqual({
        status: 409,
        body: {
          existingId: id,
          error: {
            code: 'PRICE_OVERRIDE_EXISTS',
            message: expect.stringContaining(
              `override ${id} for openai model "gpt-4o" from 2026-11-27T00:00:00.000Z, which prices the same model`,
            ),
          },
        },
      })
    }
    // An alias beside its dated snapshot, and a model the catalogue does not know, in another case.
    expect((await at('gpt-4o-mini')).status).toBe(201)
    expect(await at('gpt-4o-mini-2024-07-18')).toMatchObject({ status: 409 })
    expect((await at('acme-large', '2026-11-27', 'acme')).status).toBe(201)
    expect(await at('ACME-Large', '2026-11-27', 'acme')).toMatchObject({ status: 409 })
    // Another start, another provider or another model is another override.
    expect((await at('GPT-4o', '2026-11-28')).status).toBe(201)
    expect((await at('gpt-4o', '2026-11-27', 'azure')).status).toBe(201)
    expect((await at('gpt-4o-2024-05-13')).status).toBe(201)

    // An edit that would make a conflicting pair is refused too; an edit of the override itself is not.
    const other = await at('gpt-4o-2024-08-06', '2026-12-01')
    const moved = await send(t, 'PUT', `/v1/price-overrides/${other.body?.id}`, {
      version: 1,
      provider: 'openai',
      model: 'GPT-4O-MINI',
      effectiveFrom: '2026-11-27',
      prices: { input: '1', output: '1' },
    })
    expect(moved).toMatchObject({ status: 409, body: { error: { code: 'PRICE_OVERRIDE_EXISTS' } } })
    const repriced = await send(t, 'PUT', `/v1/price-overrides/${id}`, {
      version: 1,
      provider: 'openai',
      model: 'gpt-4o',
      effectiveFrom: '2026-11-27',
      prices: { input: '2', output: '2' },
    })
    expect(repriced).toMatchObject({ status: 200, body: { version: 2, prices: { input: '2', output: '2' } } })
    // A stale or unknown edit is told so first.
    const stale = await send(t, 'PUT', `/v1/price-overrides/${id}`, {
      version: 1,
      provider: 'openai',
      model: 'GPT-4o',
      effectiveFrom: '2026-11-28',
      prices: { input: '2', output: '2' },
    })
    expect(stale).toMatchObject({ status: 409, body: { error: { code: 'VERSION_CONFLICT' } } })
  })

  it('lets either override of a pair an earlier release let in be edited, as long as it prices the same calls', async () => {
    const db = getDb()
    const t = await createTestApp(db, { scopes: ['admin'] })
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO price_overrides (project_id, provider, model, effective_from, prices)
       VALUES ($1, 'openai', 'gpt-4o', '2026-11-27', '{"input":"1","output":"1"}'),
              ($1, 'openai', 'GPT-4o', '2026-11-27', '{"input":"2","output":"2"}')
       RETURNING id::text AS id`,
      [t.project.id],
    )
    for (const [index, row] of rows.entries()) {
      const edited = await send(t, 'PUT', `/v1/price-overrides/${row.id}`, {
        version: 1,
        provider: 'openai',
        model: index === 0 ? 'gpt-4o' : 'GPT-4o',
        effectiveFrom: '2026-11-27',
        prices: { input: '3', output: '3' },
        serviceTiers: { batch: { multiplier: '0.5' } },
      })
      expect(edited, row.id).toMatchObject({ status: 200, body: { version: 2 } })
    }
    // Taking its partner's very id is refused, naming the partner.
    const sameId = await send(t, 'PUT', `/v1/price-overrides/${rows[0]?.id}`, {
      version: 2,
      provider: 'openai',
      model: 'GPT-4o',
      effectiveFrom: '2026-11-27',
      prices: { input: '3', output: '3' },
    })
    expect(sameId).toMatchObject({ status: 409, body: { existingId: rows[1]?.id } })
    // Moving one onto another model and start that an override already prices is still refused.
    await send(t, 'POST', '/v1/price-overrides', {
      provider: 'openai',
      model: 'gpt-4o-mini',
      effectiveFrom: '2026-11-27',
      prices: { input: '1', output: '1' },
    })
    const moved = await send(t, 'PUT', `/v1/price-overrides/${rows[0]?.id}`, {
      version: 2,
      provider: 'openai',
      model: 'gpt-4o-mini',
      effectiveFrom: '2026-11-27',
      prices: { input: '3', output: '3' },
    })
    expect(moved).toMatchObject({
      status: 409,
      body: {
        error: { code: 'PRICE_OVERRIDE_EXISTS', message: expect.stringMatching(/delete one of the two/) },
      },
    })
  })

  it('lets exactly one of concurrent creations of one model in several spellings win', async () => {
    const t = await createTestApp(getDb(), { scopes: ['admin'] })
    const spellings = ['acme-m3', 'ACME-M3', 'Acme-M3', 'acme-M3', 'ACME-m3', 'AcMe-m3']
    // Several rounds: without the project's lock, two creations racing both miss the other.
    for (let round = 1; round <= 6; round++) {
      const results = await Promise.all(
        spellings.map((model) =>
          send(t, 'POST', '/v1/price-overrides', {
            provider: 'acme',
            model,
            effectiveFrom: `2026-11-0${round}`,
            prices: { input: '1', output: '1' },
          }),
        ),
      )
      expect(results.map((result) => result.status).sort(), `round ${round}`).toEqual([
        201, 409, 409, 409, 409, 409,
      ])
    }
  })

  it('stores service-tier and long-context rates with an override, and prices calls with them', async () => {
    const t = await createTestApp(getDb(), { scopes: ['admin'] })
    const tiered = {
      provider: 'google',
      model: 'gemini-own-pro',
      effectiveFrom: '2026-01-01',
      prices: { input: '2', cacheRead: '0.2', output: '12' },
      serviceTiers: {
        batch: { multiplier: '0.5' },
        priority: { multiplier: '1.8', appliesToLongContext: false },
        flex: { prices: { input: '1', output: '6' } },
      },
      longContext: [{ aboveInputTokens: 200_000, prices: { input: '4', cacheRead: '0.4', output: '18' } }],
    }
    const created = await send(t, 'POST', '/v1/price-overrides', tiered)
    expect(created).toMatchObject({
      status: 201,
      body: { serviceTiers: tiered.serviceTiers, longContext: tiered.longContext },
    })
    expect((await t.get(`/v1/price-overrides/${created.body?.id}`)).body).toEqual(created.body)
    const call = (idempotencyKey: string, fields: Record<string, unknown>) => ({
      ...event,
      provider: 'google',
      model: 'gemini-own-pro',
      idempotencyKey,
      usage: { inputTokens: 1_000, cacheReadInputTokens: 400, outputTokens: 1_000 },
      ...fields,
    })
    const long = { inputTokens: 250_000, outputTokens: 1_000 }
    expect(
      (
        await t.postEvents([
          call('standard', {}),
          call('batch', { serviceTier: 'batch' }),
          call('flex', { serviceTier: 'flex' }),
          call('ultrafast', { serviceTier: 'ultrafast' }),
          call('long', { usage: long }),
          call('long-batch', { usage: long, serviceTier: 'batch' }),
          call('long-priority', { usage: long, serviceTier: 'priority' }),
        ])
      ).body,
    ).toEqual({ accepted: 7, duplicates: 0, errors: [] })
    const rows = (await t.get('/v1/events?model=gemini-own-pro')).body.data as Array<Record<string, unknown>>
    expect(Object.fromEntries(rows.map((row) => [row.idempotencyKey, row.costUsd]))).toEqual({
      // 600 × 2 + 400 × 0.2 + 1,000 × 12 = 1,200 + 80 + 12,000 = 13,280 µ$
      standard: '0.013280000000',
      // Half of it.
      batch: '0.006640000000',
      // Flex's own prices; its cache reads bill as its input: 600 × 1 + 400 × 1 + 1,000 × 6 = 7,000 µ$
      flex: '0.007000000000',
      // A tier the override does not list bills at its prices.
      ultrafast: '0.013280000000',
      // Above 200,000 the long-context rates: 250,000 × 4 + 1,000 × 18 = 1,018,000 µ$
      long: '1.018000000000',
      'long-batch': '0.509000000000',
      // Priority's multiplier is for short prompts only.
      'long-priority': '1.018000000000',
    })
  })

  it('refuses tiers it could not price with as given, saying why', async () => {
    const t = await createTestApp(getDb(), { scopes: ['admin'] })
    const create = (fields: Record<string, unknown>) =>
      send(t, 'POST', '/v1/price-overrides', {
        provider: 'openai',
        model: 'gpt-4o-mini',
        effectiveFrom: '2026-01-01',
        prices: { input: '1', output: '2' },
        ...fields,
      })
    for (const [fields, path, message] of [
      [
        { serviceTiers: { batch: { multiplier: 0.5 } } },
        'serviceTiers.batch.multiplier',
        /must be a text value/,
      ],
      [{ serviceTiers: { batch: { multiplier: '1e3' } } }, 'serviceTiers.batch.multiplier', /decimal string/],
      [
        { serviceTiers: { batch: { multiplier: '0.5', prices: { input: '1', output: '1' } } } },
        'serviceTiers.batch',
        /either a "multiplier" or "prices", not both or neither/,
      ],
      [{ serviceTiers: { batch: {} } }, 'serviceTiers.batch', /either a "multiplier" or "prices"/],
      [
        { serviceTiers: { flex: { prices: { input: '1', output: '1' }, appliesToLongContext: false } } },
        'serviceTiers.flex.appliesToLongContext',
        /goes with a "multiplier" only/,
      ],
      [{ serviceTiers: { standard: { multiplier: '1' } } }, 'serviceTiers', /unknown field/],
      [{ serviceTiers: { fast: { multiplier: '2' } } }, 'serviceTiers.fast', /billed as priority/],
      [
        { longContext: [{ aboveInputTokens: 200_000, prices: {} }] },
        'longContext.0.prices',
        /must price at least one bucket/,
      ],
      [
        {
          longContext: [
            { aboveInputTokens: 128_000, prices: { input: '2' } },
            { aboveInputTokens: 128_000, prices: { input: '3' } },
          ],
        },
        'longContext',
        /must not list one aboveInputTokens twice/,
      ],
      [
        { longContext: [{ aboveInputTokens: 0, prices: { input: '2' } }] },
        'longContext.0.aboveInputTokens',
        /at least 1/,
      ],
    ] as const) {
      const refused = await create(fields)
      // Each body has one problem, told at its path.
      expect(refused, path).toEqual({
        status: 400,
        body: {
          error: {
            code: 'INVALID_PRICE_OVERRIDE',
            message: expect.any(String),
            details: [{ path, message: expect.stringMatching(message) }],
          },
        },
      })
    }
    expect((await t.get('/v1/price-overrides')).body.data).toEqual([])
    // Anthropic's fast mode is a tier of its own, so an Anthropic override may price it.
    const anthropic = await create({
      provider: 'anthropic',
      model: 'claude-opus-4-6',
      serviceTiers: { fast: { multiplier: '6' } },
    })
    expect(anthropic).toMatchObject({
      status: 201,
      body: { serviceTiers: { fast: { multiplier: '6' } }, longContext: [] },
    })
  })

  it('lets exactly one of two edits from the same version win; the other gets 409 and nothing is lost', async () => {
    const t = await createTestApp(getDb(), { scopes: ['admin'] })
    const created = await send(t, 'POST', '/v1/price-overrides', {
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      effectiveFrom: '2026-02-01',
      prices: { input: '3', output: '15' },
    })
    const path = `/v1/price-overrides/${created.body?.id as string}`
    const edit = (input: string) =>
      send(t, 'PUT', path, {
        version: 1,
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        effectiveFrom: '2026-02-01',
        prices: { input, output: '15' },
      })
    const results = await Promise.all([edit('2.5'), edit('2.75')])
    expect(results.map((result) => result.status).sort()).toEqual([200, 409])
    const winner = results.find((result) => result.status === 200)!
    const loser = results.find((result) => result.status === 409)!
    expect(winner.body).toMatchObject({ version: 2 })
    expect(loser.body).toMatchObject({ currentVersion: 2, error: { code: 'VERSION_CONFLICT' } })
    expect((await t.get(path)).body).toEqual(winner.body)

    expect(await send(t, 'DELETE', `${path}?version=1`)).toMatchObject({
      status: 409,
      body: { currentVersion: 2 },
    })
    expect(await send(t, 'DELETE', `${path}?version=2`)).toEqual({ status: 204, body: null })
    expect((await t.get(path)).status).toBe(404)
  })

  it('deletes conditionally only on one version in decimal digits, and refuses any other query', async () => {
    const t = await createTestApp(getDb(), { scopes: ['admin'] })
    const created = await send(t, 'POST', '/v1/price-overrides', override)
    const path = `/v1/price-overrides/${created.body?.id}`
    for (const [query, message] of [
      ['version=1&version=2', 'version is given more than once; give each once'],
      ['version=0x1', 'version must be a whole number of at least 1, written in decimal digits'],
      ['version=%201', 'version must be a whole number of at least 1, written in decimal digits'],
      ['version=', 'version must be a whole number of at least 1, written in decimal digits'],
      ['version=0', 'version must be at least 1'],
      ['version=99999999999999999999', 'version is larger than any version'],
      ['version=3000000000', 'version is larger than any version'],
      ['versoin=1', 'has unknown field(s) versoin: remove it'],
    ]) {
      const refused = await send(t, 'DELETE', `${path}?${query}`)
      expect(refused, query).toMatchObject({ status: 400, body: { error: { code: 'INVALID_QUERY' } } })
      expect(JSON.stringify(refused.body), query).toContain(message)
    }
    expect((await t.get(path)).status).toBe(200)
    expect(await send(t, 'PUT', path, { ...override, version: 3_000_000_000 })).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringContaining('version is larger than any version') } },
    })
    expect(await send(t, 'DELETE', `${path}?version=1`)).toEqual({ status: 204, body: null })
    expect((await t.get(path)).status).toBe(404)
  })

  it('refuses prices that are not decimal strings, and keys without admin', async () => {
    const t = await createTestApp(getDb(), { scopes: ['admin'] })
    const create = (fields: Record<string, unknown>) =>
      send(t, 'POST', '/v1/price-overrides', {
        provider: 'openai',
        model: 'x',
        effectiveFrom: '2026-01-01',
        ...fields,
      })
    expect(await create({ prices: { input: 0.1, output: '1' } })).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_PRICE_OVERRIDE', message: expect.stringMatching(/prices.input/) } },
    })
    expect(await create({ effectiveFrom: 'soon', prices: { input: '1', output: '1' } })).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_PRICE_OVERRIDE' } },
    })
    // A decimal string past the limits is told which limit it passed.
    expect(await create({ prices: { input: '1000000000', output: '1' } })).toMatchObject({
      status: 400,
      body: {
        error: { message: expect.stringMatching(/at most 9 digits before the point and 12 after it/) },
      },
    })
    const reader = await createTestApp(getDb(), { scopes: ['read'] })
    expect((await reader.get('/v1/price-overrides')).status).toBe(403)
  })

  it('refuses an impossible date or a time outside 2000-01-01..9999-12-31 with 400, never rolling it over', async () => {
    const t = await createTestApp(getDb(), { scopes: ['admin'] })
    const override = (effectiveFrom: string) => ({
      provider: 'openai',
      model: 'gpt-4o-mini',
      effectiveFrom,
      prices: { input: '1', output: '2' },
    })
    for (const [effectiveFrom, message] of [
      ['2026-02-30', /effectiveFrom must be a real date: 2026-02-30 does not exist/],
      ['2026-02-29', /effectiveFrom must be a real date: 2026-02-29 does not exist/],
      ['2026-02-30T00:00:00Z', /effectiveFrom must be a real date: 2026-02-30 does not exist/],
      [
        '2026-02-28T00:00',
        /effectiveFrom must be a real date \(2026-01-01, UTC midnight\) or an ISO 8601 time/,
      ],
      [
        '0000-01-01',
        /effectiveFrom must be a time from 2000-01-01T00:00:00.000Z to 9999-12-31T00:00:00.000Z/,
      ],
      ['1999-12-31T23:59:59Z', /effectiveFrom must be a time from/],
      ['9999-12-31T23:00:00-10:00', /effectiveFrom must be a time from/],
      ['2026-01-01T12:00:00.0004Z', /effectiveFrom must start on a whole millisecond/],
    ] as const) {
      const created = await send(t, 'POST', '/v1/price-overrides', override(effectiveFrom))
      expect({ effectiveFrom, ...created }).toEqual({
        effectiveFrom,
        status: 400,
        body: {
          error: {
            code: 'INVALID_PRICE_OVERRIDE',
            message: expect.stringMatching(message),
            details: expect.any(Array),
          },
        },
      })
    }
    expect((await t.get('/v1/price-overrides')).body.data).toEqual([])
    const leapDay = await send(t, 'POST', '/v1/price-overrides', override('2024-02-29'))
    expect(leapDay).toMatchObject({ status: 201, body: { effectiveFrom: '2024-02-29T00:00:00.000Z' } })
    const edited = await send(t, 'PUT', `/v1/price-overrides/${leapDay.body?.id}`, {
      ...override('2026-02-30'),
      version: 1,
    })
    expect(edited).toMatchObject({ status: 400, body: { error: { code: 'INVALID_PRICE_OVERRIDE' } } })
    // Zeros past the millisecond name the same instant.
    const wholeMillisecond = await send(
      t,
      'POST',
      '/v1/price-overrides',
      override('2026-01-01T12:00:00.250000Z'),
    )
    expect(wholeMillisecond).toMatchObject({
      status: 201,
      body: { effectiveFrom: '2026-01-01T12:00:00.250Z' },
    })
    const latest = await send(t, 'POST', '/v1/price-overrides', override('9999-12-30T14:00:00-10:00'))
    expect(latest).toMatchObject({ status: 201, body: { effectiveFrom: '9999-12-31T00:00:00.000Z' } })
  })
})
