import type { Queryable } from '../database.ts'

/**
 * True when some project has a raw call stamped before `beforeUtc`. One primary-key probe per project, so it
 * stays cheap on a large table (a plain EXISTS over llm_calls could scan it whole when there is none).
 */
export async function hasCallsBefore(db: Queryable, beforeUtc: string): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM projects p
       WHERE EXISTS (SELECT 1 FROM llm_calls c WHERE c.project_id = p.id AND c.timestamp < $1)) AS found`,
    [beforeUtc],
  )
  return rows[0]?.found === true
}

/** How many project-hours wait for a rollup refresh. */
export async function countPendingRollupHours(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM rollup_dirty_hours')
  return rows[0]?.count ?? 0
}
