import type { TokenPrices } from '@ai-cost-profiler/core'
import type { Queryable } from '../database.ts'

/** A project's own price for a model from `effectiveFrom` on, with its edit version. */
export interface PriceOverrideRecord {
  id: string
  provider: string
  model: string
  /** ISO 8601 UTC. */
  effectiveFrom: string
  /** USD per million tokens per bucket, decimal strings. */
  prices: TokenPrices
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
}

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

const COLUMNS = `id, provider, model, ${ISO('effective_from')} AS "effectiveFrom", prices, version,
  ${ISO('created_at')} AS "createdAt", ${ISO('updated_at')} AS "updatedAt"`

const UNIQUE_VIOLATION = '23505'
const isUniqueViolation = (error: unknown) => (error as { code?: unknown }).code === UNIQUE_VIOLATION

/** A project's overrides, by provider, model and start. */
export async function listPriceOverrides(db: Queryable, projectId: string): Promise<PriceOverrideRecord[]> {
  const { rows } = await db.query<PriceOverrideRecord>(
    `SELECT ${COLUMNS} FROM price_overrides WHERE project_id = $1 ORDER BY provider, model, effective_from`,
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

/** Creates an override at version 1; `duplicate` when the project already has one for that model and start. */
export async function insertPriceOverride(
  db: Queryable,
  input: PriceOverrideInput & { projectId: string },
): Promise<{ status: 'created'; record: PriceOverrideRecord } | { status: 'duplicate' }> {
  const { rows } = await db.query<PriceOverrideRecord>(
    `INSERT INTO price_overrides (project_id, provider, model, effective_from, prices) VALUES ($1, $2, $3, $4, $5::jsonb)
     ON CONFLICT (project_id, provider, model, effective_from) DO NOTHING RETURNING ${COLUMNS}`,
    [input.projectId, input.provider, input.model, input.effectiveFrom, JSON.stringify(input.prices)],
  )
  return rows[0] ? { status: 'created', record: rows[0] } : { status: 'duplicate' }
}

/** What an edit of a versioned override came to. */
export type PriceOverrideEdit =
  | { status: 'updated'; record: PriceOverrideRecord }
  | { status: 'deleted' }
  | { status: 'not-found' }
  | { status: 'version-conflict'; currentVersion: number }
  | { status: 'duplicate' }

async function explainMiss(
  db: Queryable,
  input: { projectId: string; id: string },
): Promise<PriceOverrideEdit> {
  const current = await findPriceOverrideById(db, input)
  return current ? { status: 'version-conflict', currentVersion: current.version } : { status: 'not-found' }
}

/**
 * Replaces an override if it is still at `version` (optimistic concurrency: the UPDATE checks the version, so
 * of two edits made from the same read exactly one wins and the other learns it is stale).
 */
export async function updatePriceOverride(
  db: Queryable,
  input: PriceOverrideInput & { projectId: string; id: string; version: number },
): Promise<PriceOverrideEdit> {
  try {
    const { rows } = await db.query<PriceOverrideRecord>(
      `UPDATE price_overrides SET provider = $4, model = $5, effective_from = $6, prices = $7::jsonb, version = version + 1,
         updated_at = clock_timestamp()
       WHERE project_id = $1 AND id = $2 AND version = $3 RETURNING ${COLUMNS}`,
      [
        input.projectId,
        input.id,
        input.version,
        input.provider,
        input.model,
        input.effectiveFrom,
        JSON.stringify(input.prices),
      ],
    )
    return rows[0] ? { status: 'updated', record: rows[0] } : explainMiss(db, input)
  } catch (error) {
    if (isUniqueViolation(error)) return { status: 'duplicate' }
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
