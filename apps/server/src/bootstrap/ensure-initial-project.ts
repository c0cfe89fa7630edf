import { EnvError, type ServerEnv } from '../env.ts'
import { API_KEY_SCOPES, generateApiKey, hashApiKey } from '../keys/api-key.ts'
import type { Database, Queryable } from '../storage/database.ts'
import { findActiveApiKeyByHash, insertApiKey } from '../storage/repositories/api-keys-repository.ts'
import {
  countProjects,
  ensureProject,
  findProjectById,
  type Project,
} from '../storage/repositories/projects-repository.ts'

/** What start-up created, so the caller can tell the user once. */
export interface InitialProjectOutcome {
  projectName?: string
  /** A key generated now, to print once; absent when none was made or it came from the environment. */
  generatedKey?: string
}

// `api_keys.key_hash` is unique over live and revoked keys alike (migration 0001).
function isKeyHashTaken(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { code, constraint } = error as { code?: unknown; constraint?: unknown }
  return code === '23505' && constraint === 'api_keys_key_hash_key'
}

async function ensureInitialKey(tx: Queryable, project: Project, key: string): Promise<void> {
  const existing = await findActiveApiKeyByHash(tx, hashApiKey(key))
  if (existing === undefined) {
    await insertApiKey(tx, {
      projectId: project.id,
      key,
      origin: 'operator',
      scopes: API_KEY_SCOPES,
      name: 'ACP_INIT_API_KEY',
    })
    return
  }
  if (existing.projectId === project.id) return
  const owner = (await findProjectById(tx, existing.projectId))?.name ?? existing.projectId
  throw new EnvError([
    `ACP_INIT_API_KEY: is already a key of project "${owner}", not of ACP_INIT_PROJECT "${project.name}"; set ACP_INIT_API_KEY to a new value, set ACP_INIT_PROJECT=${owner}, or unset both`,
  ])
}

async function ensureInTransaction(
  db: Database,
  env: Pick<ServerEnv, 'ACP_INIT_PROJECT' | 'ACP_INIT_API_KEY'>,
): Promise<InitialProjectOutcome> {
  return db.transaction(async (tx) => {
    if (env.ACP_INIT_PROJECT) {
      const { project } = await ensureProject(tx, env.ACP_INIT_PROJECT)
      if (env.ACP_INIT_API_KEY) await ensureInitialKey(tx, project, env.ACP_INIT_API_KEY)
      return { projectName: project.name }
    }
    if ((await countProjects(tx)) > 0) return {}
    const { project, created } = await ensureProject(tx, 'default')
    // Servers starting together on an empty database all count none: only the one whose insert made
    // the project creates (and prints) the first key; the others waited for it and find it made.
    if (!created) return {}
    const key = generateApiKey()
    await insertApiKey(tx, {
      projectId: project.id,
      key,
      origin: 'generated',
      scopes: API_KEY_SCOPES,
      name: 'first run',
    })
    return { projectName: project.name, generatedKey: key }
  })
}

/**
 * Headless start: `ACP_INIT_PROJECT` / `ACP_INIT_API_KEY` create that project and key when missing.
 * Without them, an empty database gets project `default` and a fresh key to print once. Throws
 * `EnvError` when ACP_INIT_API_KEY cannot be the init project's key: it was revoked, or it belongs
 * to another project.
 */
export async function ensureInitialProject(
  db: Database,
  env: Pick<ServerEnv, 'ACP_INIT_PROJECT' | 'ACP_INIT_API_KEY'>,
): Promise<InitialProjectOutcome> {
  try {
    return await ensureInTransaction(db, env)
  } catch (error) {
    if (!env.ACP_INIT_API_KEY || !isKeyHashTaken(error)) throw error
    // The hash is taken by a key that was not live when looked up: another server starting at the
    // same time created it (then it is live now, and a second pass settles it), or it was revoked.
    if (await findActiveApiKeyByHash(db, hashApiKey(env.ACP_INIT_API_KEY)))
      return ensureInTransaction(db, env)
    throw new EnvError([
      'ACP_INIT_API_KEY: this key was revoked, and a revoked key is never accepted again; set ACP_INIT_API_KEY to a new value (at least 20 characters), or unset ACP_INIT_PROJECT and ACP_INIT_API_KEY',
    ])
  }
}
