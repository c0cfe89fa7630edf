import {
  type LongContextTier,
  namesSameModel,
  type PriceOverride,
  type ServiceTierPrices,
  type TokenPrices,
} from '@ai-cost-profiler/core'
import type { Database, Queryable } from '../database.ts'

/** A project's own price for a model from `effectiveFrom` on, with its edit version. */
export interface PriceOverrideRecord {
  id: string
  provider: string
  model: string
  /** ISO 8601 UTC. */
  effectiveFrom: string
  /** USD per million tokens per bucket, decimal strings. */
  prices: TokenPrices
  /** Rates per non-standard service tier; a tier left out (all, when empty) bills at `prices`. */
  serviceTiers: ServiceTierPrices
  /** Prices for prompts above a size, by threshold; empty when the override has none. */
  longContext: LongContextTier[]
  version: number
  createdAt: string
  updatedAt: string
}

/** The fields an override is created or replaced with. */
export interface PriceOverrideInput {
  provider: string
  model: string
  effectiveFrom: string
  prices: TokenPrices
  /** None when left out. */
  serviceTiers?: ServiceTierPrices
  /** None when left out. */
  longContext?: readonly LongContextTier[]
}

/** An override as pricing takes it: its prices and tiers, without the edit bookkeeping. */
export function toPriceOverride(record: PriceOverrideRecord): PriceOverride {
  const { id, provider, model, effectiveFrom, prices, serviceTiers, longContext } = record
  return { id, provider, model, effectiveFrom, prices, serviceTiers, longContext }
}

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

const COLUMNS = `id, provider, model, ${ISO('effective_from')} AS "effectiveFrom", prices,
  service_tiers AS "serviceTiers", long_context AS "longContext", version,
  ${ISO('created_at')} AS "createdAt", ${ISO('updated_at')} AS "updatedAt"`

const UNIQUE_VIOLATION = '23505'
const isUniqueViolation = (error: unknown) => (error as { code?: unknown }).code === UNIQUE_VIOLATION

/** A project's overrides, by provider, model (byte order, the same on every database) and start. */
export async function listPriceOverrides(db: Queryable, projectId: string): Promise<PriceOverrideRecord[]> {
  const { rows } = await db.query<PriceOverrideRecord>(
    `SELECT ${COLUMNS} FROM price_overrides WHERE project_id = $1
     ORDER BY provider, model COLLATE "C", effective_from, id`,
    [projectId],
  )
  return rows
}

/** One override of a project, if it exists. */
export async function findPriceOverrideById(
  db: Queryable,
  input: { projectId: string; id: string },
): Promise<PriceOverrideRecord | undefined> {
  const { rows } = await db.query<PriceOverrideRecord>(
    `SELECT ${COLUMNS} FROM price_overrides WHERE project_id = $1 AND id = $2`,
    [input.projectId, input.id],
  )
  return rows[0]
}

// Writers of a project's overrides take turns, so two creating the same model in two spellings at once
// cannot both miss the other. The row lock does not conflict with the key-share locks foreign keys take.
async function lockProjectOverrides(tx: Queryable, projectId: string): Promise<void> {
  await tx.query('SELECT 1 FROM projects WHERE id = $1 FOR NO KEY UPDATE', [projectId])
}

/**
 * Another override of the project that prices the same calls from the same instant: the same provider
 * and start, and a model id pricing treats as the same (another case, an alias or a dated snapshot).
 */
async function findSameModelOverride(
  db: Queryable,
  input: Pick<PriceOverrideInput, 'provider' | 'model' | 'effectiveFrom'> & {
    projectId: string
    id?: string
  },
): Promise<PriceOverrideRecord | undefined> {
  const { rows } = await db.query<PriceOverrideRecord>(
    `SELECT ${COLUMNS} FROM price_overrides
     WHERE project_id = $1 AND provider = $2 AND effective_from = $3 AND id IS DISTINCT FROM $4::uuid
     ORDER BY model COLLATE "C", id`,
    [input.projectId, input.provider, input.effectiveFrom, input.id ?? null],
  )
  // One with the very id first: a second such row is refused by the table's unique key whatever else holds.
  return (
    rows.find((row) => row.model === input.model) ??
    rows.find((row) => namesSameModel(input.provider, row.model, input.model))
  )
}

/** An override's provider, model, start, prices and tiers, as the statements write them (six values). */
function overrideValues(input: PriceOverrideInput): unknown[] {
  return [
    input.provider,
    input.model,
    input.effectiveFrom,
    JSON.stringify(input.prices),
    JSON.stringify(input.serviceTiers ?? {}),
    JSON.stringify(input.longContext ?? []),
  ]
}

/** True when two overrides price the same calls: the same provider, start and model as pricing resolves it. */
function pricesSameCalls(one: PriceOverrideRecord, other: PriceOverrideRecord): boolean {
  return (
    one.provider === other.provider &&
    one.effectiveFrom === other.effectiveFrom &&
    namesSameModel(one.provider, one.model, other.model)
  )
}

/**
 * Refused because `existing` already prices that model from that instant (unset only when the override
 * that stood in the way was deleted meanwhile).
 */
export interface PriceOverrideDuplicate {
  status: 'duplicate'
  existing: PriceOverrideRecord | undefined
}

/**
 * Creates an override at version 1; `duplicate` when the project already has one for that provider and
 * start naming the same model as pricing resolves it (so which one prices a call never depends on how
 * the two ids sort).
 */
export async function insertPriceOverride(
  db: Database,
  input: PriceOverrideInput & { projectId: string },
): Promise<{ status: 'created'; record: PriceOverrideRecord } | PriceOverrideDuplicate> {
  return db.transaction(async (tx) => {
    await lockProjectOverrides(tx, input.projectId)
    const existing = await findSameModelOverride(tx, input)
    if (existing) return { status: 'duplicate', existing }
    const { rows } = await tx.query<PriceOverrideRecord>(
      `INSERT INTO price_overrides (project_id, provider, model, effective_from, prices, service_tiers, long_context)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb)
       ON CONFLICT (project_id, provider, model, effective_from) DO NOTHING RETURNING ${COLUMNS}`,
      [input.projectId, ...overrideValues(input)],
    )
    return rows[0]
      ? { status: 'created', record: rows[0] }
      : { status: 'duplicate', existing: await findSameModelOverride(tx, input) }
  })
}

/** What an edit of a versioned override came to. */
export type PriceOverrideEdit =
  | { status: 'updated'; record: PriceOverrideRecord }
  | { status: 'deleted' }
  | { status: 'not-found' }
  | { status: 'version-conflict'; currentVersion: number }
  | PriceOverrideDuplicate

async function explainMiss(
  db: Queryable,
  input: { projectId: string; id: string },
): Promise<PriceOverrideEdit> {
  const current = await findPriceOverrideById(db, input)
  return current ? { status: 'version-conflict', currentVersion: current.version } : { status: 'not-found' }
}

/**
 * Replaces an override if it is still at `version` (optimistic concurrency: of two edits made from the
 * same read exactly one wins and the other learns it is stale); `duplicate` when another override of the
 * project names the same model from the same start.
 */
export async function updatePriceOverride(
  db: Database,
  input: PriceOverrideInput & { projectId: string; id: string; version: number },
): Promise<PriceOverrideEdit> {
  try {
    return await db.transaction(async (tx): Promise<PriceOverrideEdit> => {
      await lockProjectOverrides(tx, input.projectId)
      const current = await findPriceOverrideById(tx, input)
      if (!current) return { status: 'not-found' }
      if (current.version !== input.version)
        return { status: 'version-conflict', currentVersion: current.version }
      const existing = await findSameModelOverride(tx, input)
      // A pair an earlier release let in (two spellings of one model from one start) may still be
      // edited: an edit that keeps pricing the model and start it priced makes no new pair.
      if (existing && (existing.model === input.model || !pricesSameCalls(current, existing))) {
        return { status: 'duplicate', existing }
      }
      const { rows } = await tx.query<PriceOverrideRecord>(
        `UPDATE price_overrides SET provider = $4, model = $5, effective_from = $6, prices = $7::jsonb,
           service_tiers = $8::jsonb, long_context = $9::jsonb, version = version + 1, updated_at = clock_timestamp()
         WHERE project_id = $1 AND id = $2 AND version = $3 RETURNING ${COLUMNS}`,
        [input.projectId, input.id, input.version, ...overrideValues(input)],
      )
      return rows[0] ? { status: 'updated', record: rows[0] } : explainMiss(tx, input)
    })
  } catch (error) {
    // Only a writer that skips the lock above (a server of an earlier version) can get here: the checks
    // above refuse every edit the table's unique key would.
    if (isUniqueViolation(error)) return { status: 'duplicate', existing: undefined }
    throw error
  }
}

/** Deletes an override; with `version`, only if it is still at that version. */
export async function deletePriceOverride(
  db: Queryable,
  input: { projectId: string; id: string; version?: number },
): Promise<PriceOverrideEdit> {
  const { rowCount } = await db.query(
    'DELETE FROM price_overrides WHERE project_id = $1 AND id = $2 AND ($3::int IS NULL OR version = $3::int)',
    [input.projectId, input.id, input.version ?? null],
  )
  return rowCount > 0 ? { status: 'deleted' } : explainMiss(db, input)
}
