import type { Queryable } from '../database.ts'

/** The rule of `projects.name` (migration 0001), for checking a name before it reaches the database. */
export const PROJECT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/
/** What `PROJECT_NAME_PATTERN` asks for, in words: the one wording every message about a project name uses. */
export const PROJECT_NAME_RULE = '1-100 letters, digits, ".", "_" or "-", starting with a letter or digit'

/** A project: the unit every key, event and query is scoped to. */
export interface Project {
  id: string
  name: string
  retentionDays: number
  createdAt: string
}

const COLUMNS = `id, name, retention_days AS "retentionDays", to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"`

/** Creates a project, or returns the existing one of that name. */
export async function ensureProject(
  db: Queryable,
  name: string,
): Promise<{ project: Project; created: boolean }> {
  const inserted = await db.query<Project>(
    `INSERT INTO projects (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING ${COLUMNS}`,
    [name],
  )
  if (inserted.rows[0]) return { project: inserted.rows[0], created: true }
  const existing = await findProjectByName(db, name)
  if (!existing) throw new Error(`project ${name} vanished while being created`)
  return { project: existing, created: false }
}

/** The project of that name, if any. */
export async function findProjectByName(db: Queryable, name: string): Promise<Project | undefined> {
  const { rows } = await db.query<Project>(`SELECT ${COLUMNS} FROM projects WHERE name = $1`, [name])
  return rows[0]
}

/** The project with that id, if any. */
export async function findProjectById(db: Queryable, projectId: string): Promise<Project | undefined> {
  const { rows } = await db.query<Project>(`SELECT ${COLUMNS} FROM projects WHERE id = $1`, [projectId])
  return rows[0]
}

/** The first `limit` project names in name order, and how many projects there are. */
export async function listProjectNames(
  db: Queryable,
  limit: number,
): Promise<{ names: string[]; total: number }> {
  const { rows } = await db.query<{ name: string; total: number }>(
    'SELECT name, count(*) OVER ()::int AS total FROM projects ORDER BY name COLLATE "C" LIMIT $1',
    [limit],
  )
  return { names: rows.map((row) => row.name), total: rows[0]?.total ?? 0 }
}

/** How many projects exist (first-run detection). */
export async function countProjects(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM projects')
  return rows[0]?.count ?? 0
}

/** Sets how many days of a project's raw rows retention keeps (1–3650); the project, or undefined if none. */
export async function setProjectRetentionDays(
  db: Queryable,
  input: { projectId: string; retentionDays: number },
): Promise<Project | undefined> {
  const { rows } = await db.query<Project>(
    `UPDATE projects SET retention_days = $2 WHERE id = $1 RETURNING ${COLUMNS}`,
    [input.projectId, input.retentionDays],
  )
  return rows[0]
}
