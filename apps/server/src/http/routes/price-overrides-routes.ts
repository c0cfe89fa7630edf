import { MAX_TOKENS_PER_BUCKET, type ServiceTierPricing } from '@ai-cost-profiler/core'
import { Hono } from 'hono'
import { z } from 'zod'
import type { IngestService } from '../../ingest/ingest-service.ts'
import { PRICE_OVERRIDES_CHANGED_CHANNEL } from '../../ingest/price-overrides-cache.ts'
import type { MessageBus } from '../../messaging/message-bus.ts'
import type { Database } from '../../storage/database.ts'
import {
  deletePriceOverride,
  findPriceOverrideById,
  insertPriceOverride,
  listPriceOverrides,
  type PriceOverrideDuplicate,
  type PriceOverrideEdit,
  updatePriceOverride,
} from '../../storage/repositories/price-overrides-repository.ts'
import { ApiError } from '../api-error.ts'
import { type AuthVariables, requireScope } from '../middleware/authenticate.ts'
import { parseInput, parseQuery } from '../parse-query.ts'
import { isoTime } from '../query-schemas.ts'
import { readJsonBody } from '../read-json-body.ts'

// Strings, never JSON numbers: a number would pass through binary floating point on its way in.
const usdPerMillion = z
  .string()
  .regex(
    /^\d{1,9}(\.\d{1,12})?$/,
    'must be a decimal string of USD per million tokens, e.g. "0.15": at most 9 digits before the point and 12 after it',
  )

// A date means UTC midnight. Either form must name a real day: Date.parse rolls 2026-02-30 over to March.
const effectiveFrom = z
  .string()
  // Calls are priced against it to the millisecond: a finer start would be cut short without a word.
  .refine((value) => !/\.\d{3}\d*[1-9]/.test(value), {
    message:
      'must start on a whole millisecond (at most 3 fractional digits that are not 0), e.g. 2026-01-01T12:00:00.250Z',
    abort: true,
  })
  .transform((value) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value))
  .pipe(isoTime('must be a real date (2026-01-01, UTC midnight) or an ISO 8601 time with an offset'))

// A bucket left out is billed as its parent (cache reads as input, reasoning as output, ...).
const tokenPrices = z.strictObject({
  input: usdPerMillion,
  output: usdPerMillion,
  cacheRead: usdPerMillion.optional(),
  cacheWrite: usdPerMillion.optional(),
  cacheWrite1h: usdPerMillion.optional(),
  reasoning: usdPerMillion.optional(),
  inputAudio: usdPerMillion.optional(),
  outputAudio: usdPerMillion.optional(),
  inputImage: usdPerMillion.optional(),
  outputImage: usdPerMillion.optional(),
})

// A factor on every bucket price ("0.5" for batch), exact like a price: a decimal string, never a number.
const multiplier = z
  .string()
  .regex(
    /^\d{1,3}(\.\d{1,6})?$/,
    'must be a decimal string such as "0.5" or "2": at most 3 digits before the point and 6 after it',
  )

// The shapes core's ServiceTierPricing takes: a multiplier (on the long-context rates too unless
// `appliesToLongContext` is false), or published prices that replace the base ones on short prompts.
const serviceTierPricing = z
  .strictObject({
    multiplier: multiplier.optional(),
    appliesToLongContext: z.boolean().optional(),
    prices: tokenPrices.optional(),
  })
  .check((context) => {
    const { multiplier, appliesToLongContext, prices } = context.value
    if ((multiplier === undefined) === (prices === undefined)) {
      context.issues.push({
        code: 'custom',
        input: context.value,
        message: 'must have either a "multiplier" or "prices", not both or neither',
      })
    } else if (prices !== undefined && appliesToLongContext !== undefined) {
      context.issues.push({
        code: 'custom',
        input: context.value,
        path: ['appliesToLongContext'],
        message:
          'goes with a "multiplier" only: tier "prices" always leave long prompts at their long-context rates',
      })
    }
  })
  // Runs only when the check passed, so exactly one of `multiplier` and `prices` is set.
  .transform(
    ({ multiplier, appliesToLongContext, prices }): ServiceTierPricing =>
      prices !== undefined
        ? { prices }
        : {
            multiplier: multiplier as string,
            ...(appliesToLongContext === undefined ? {} : { appliesToLongContext }),
          },
  )

const serviceTiers = z.strictObject({
  batch: serviceTierPricing.optional(),
  flex: serviceTierPricing.optional(),
  priority: serviceTierPricing.optional(),
  ultrafast: serviceTierPricing.optional(),
  fast: serviceTierPricing.optional(),
})

// Providers decide the tier per request from the whole prompt and bill all of it at the tier's rates.
const MAX_LONG_CONTEXT_TIERS = 4
const longContext = z
  .array(
    z.strictObject({
      aboveInputTokens: z.int().min(1).max(MAX_TOKENS_PER_BUCKET),
      prices: tokenPrices
        .partial()
        .refine(
          (prices) => Object.keys(prices).length > 0,
          'must price at least one bucket, e.g. {"input": "2.50"}',
        ),
    }),
  )
  .max(MAX_LONG_CONTEXT_TIERS)
  .refine(
    (tiers) => new Set(tiers.map((tier) => tier.aboveInputTokens)).size === tiers.length,
    'must not list one aboveInputTokens twice',
  )
  .transform((tiers) => tiers.toSorted((a, b) => a.aboveInputTokens - b.aboveInputTokens))

/** The fields of an override as the API takes them. */
export const priceOverrideBody = z
  .strictObject({
    provider: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a lower-case provider slug such as "openai"'),
    model: z.string().min(1).max(256),
    effectiveFrom,
    prices: tokenPrices,
    // A tier left out bills at `prices`; none given, every tier does (the override is what the project pays).
    serviceTiers: serviceTiers.default({}),
    longContext: longContext.default([]),
  })
  .check((context) => {
    // Pricing bills an OpenAI `fast` call as `priority`, so a `fast` rate of an OpenAI override would never apply.
    if (context.value.provider === 'openai' && context.value.serviceTiers.fast !== undefined) {
      context.issues.push({
        code: 'custom',
        input: context.value,
        path: ['serviceTiers', 'fast'],
        message:
          'is never used for openai: an OpenAI call sent as fast is billed as priority; set "priority" instead',
      })
    }
  })

// Versions are stored as a 32-bit integer: a larger one is no version an override ever had.
const MAX_VERSION = 2_147_483_647
const updateBody = priceOverrideBody.extend({
  version: z.int().min(1).max(MAX_VERSION, 'is larger than any version'),
})

// `?version=N` deletes only while the override is at version N; without it the delete is unconditional.
const deleteQuery = z.strictObject({
  version: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of at least 1, written in decimal digits')
    .transform(Number)
    .pipe(z.number().min(1, 'must be at least 1').max(MAX_VERSION, 'is larger than any version'))
    .optional(),
})

function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  return parseInput(schema, body, {
    code: 'INVALID_PRICE_OVERRIDE',
    heading: 'Invalid price override',
    root: '(body)',
  })
}

function overrideId(text: string): string {
  const parsed = z.uuid().safeParse(text)
  if (!parsed.success)
    throw new ApiError(404, 'PRICE_OVERRIDE_NOT_FOUND', 'No price override with that id in this project.')
  return parsed.data
}

function refuse(edit: PriceOverrideEdit): never {
  if (edit.status === 'duplicate') throw duplicate(edit)
  if (edit.status !== 'version-conflict') {
    throw new ApiError(404, 'PRICE_OVERRIDE_NOT_FOUND', 'No price override with that id in this project.')
  }
  throw new ApiError(
    409,
    'VERSION_CONFLICT',
    `The override changed since you read it (it is at version ${edit.currentVersion}). Read it again and reapply your edit.`,
    { body: { currentVersion: edit.currentVersion } },
  )
}

// Pricing matches model ids case-insensitively and resolves aliases and dated snapshots, so two overrides
// of one model from one instant would leave the price to how their ids sort: the second is refused.
function duplicate({ existing }: PriceOverrideDuplicate): ApiError {
  if (existing === undefined) {
    return new ApiError(
      409,
      'PRICE_OVERRIDE_EXISTS',
      'This project already has an override for that provider, model and effectiveFrom; edit it instead.',
    )
  }
  const { id, provider, model, effectiveFrom } = existing
  return new ApiError(
    409,
    'PRICE_OVERRIDE_EXISTS',
    `This project already has override ${id} for ${provider} model "${model}" from ${effectiveFrom}, which prices the same model (model ids match whatever their case, and an alias or a dated snapshot is its model); edit that override instead, or give this one another effectiveFrom (or delete one of the two).`,
    { body: { existingId: id } },
  )
}

/**
 * `GET/POST /v1/price-overrides`, `GET/PUT/DELETE /v1/price-overrides/{id}` (admin). An edit names the
 * `version` it read; a stale one gets 409 and changes nothing. Ingest uses a change at once in this process
 * and within 30 s in the others (at once with Redis).
 */
export function priceOverridesRoutes(options: { db: Database; ingest: IngestService; bus?: MessageBus }) {
  const app = new Hono<{ Variables: AuthVariables }>()
  void options.bus?.subscribe(PRICE_OVERRIDES_CHANGED_CHANNEL, (projectId) =>
    options.ingest.priceOverrides.invalidate(projectId),
  )
  const changed = async (projectId: string) => {
    options.ingest.priceOverrides.invalidate(projectId)
    await options.bus?.publish(PRICE_OVERRIDES_CHANGED_CHANNEL, projectId)
  }
  app.use('*', requireScope('admin'))

  app.get('/', async (c) => c.json({ data: await listPriceOverrides(options.db, c.get('auth').projectId) }))

  app.post('/', async (c) => {
    const projectId = c.get('auth').projectId
    const input = parseBody(priceOverrideBody, await readJsonBody(c.req.raw, { maxBytes: 16_384 }))
    const created = await insertPriceOverride(options.db, { projectId, ...input })
    if (created.status === 'duplicate') throw duplicate(created)
    await changed(projectId)
    return c.json(created.record, 201)
  })

  app.get('/:id', async (c) => {
    const record = await findPriceOverrideById(options.db, {
      projectId: c.get('auth').projectId,
      id: overrideId(c.req.param('id')),
    })
    if (!record)
      throw new ApiError(404, 'PRICE_OVERRIDE_NOT_FOUND', 'No price override with that id in this project.')
    return c.json(record)
  })

  app.put('/:id', async (c) => {
    const projectId = c.get('auth').projectId
    const id = overrideId(c.req.param('id'))
    const { version, ...input } = parseBody(updateBody, await readJsonBody(c.req.raw, { maxBytes: 16_384 }))
    const edit = await updatePriceOverride(options.db, { projectId, id, version, ...input })
    if (edit.status !== 'updated') refuse(edit)
    await changed(projectId)
    return c.json(edit.record)
  })

  app.delete('/:id', async (c) => {
    const projectId = c.get('auth').projectId
    const id = overrideId(c.req.param('id'))
    const { version } = parseQuery(deleteQuery, c.req.queries())
    const edit = await deletePriceOverride(options.db, { projectId, id, version })
    if (edit.status !== 'deleted') refuse(edit)
    await changed(projectId)
    return c.body(null, 204)
  })

  return app
}
