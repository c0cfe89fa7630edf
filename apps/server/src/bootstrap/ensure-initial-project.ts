import type { ServerEnv } from '../env.ts'
import { API_KEY_SCOPES, generateApiKey, hashApiKey } from '../keys/api-key.ts'
import type { Database } from '../storage/database.ts'
import { findActiveApiKeyByHash, insertApiKey } from '../storage/repositories/api-keys-repository.ts'
import { countProjects, ensureProject } from '../storage/repositories/projects-repository.ts'

/** What start-up created, so the caller can tell the user once. */
export interface InitialProjectOutcome {
  projectName?: string
  /** A key generated now, to print once; absent when none was made or it came from the environment. */
  generatedKey?: string
}

/**
 * Headless start: `ACP_INIT_PROJECT` / `ACP_INIT_API_KEY` create that project and key when missing.
 * Without them, an empty database gets project `default` and a fresh key to print once.
 */
export async function ensureInitialProject(
  db: Database,
  env: Pick<ServerEnv, 'ACP_INIT_PROJECT' | 'ACP_INIT_API_KEY'>,
): Promise<InitialProjectOutcome> {
  return db.transaction(async (tx) => {
    if (env.ACP_INIT_PROJECT) {
      const { project } = await ensureProject(tx, env.ACP_INIT_PROJECT)
      if (env.ACP_INIT_API_KEY && !(await findActiveApiKeyByHash(tx, hashApiKey(env.ACP_INIT_API_KEY)))) {
        await insertApiKey(tx, {
          projectId: project.id,
          key: env.ACP_INIT_API_KEY,
          scopes: API_KEY_SCOPES,
          name: 'ACP_INIT_API_KEY',
        })
      }
      return { projectName: project.name }
    }
    if ((await countProjects(tx)) > 0) return {}
    const { project } = await ensureProject(tx, 'default')
    const key = generateApiKey()
    await insertApiKey(tx, { projectId: project.id, key, scopes: API_KEY_SCOPES, name: 'first run' })
    return { projectName: project.name, generatedKey: key }
  })
}
