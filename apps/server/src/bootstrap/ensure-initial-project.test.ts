import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { EnvError } from '../env.ts'
import { hashApiKey } from '../keys/api-key.ts'
import {
  findActiveApiKeyByHash,
  listApiKeys,
  revokeApiKey,
} from '../storage/repositories/api-keys-repository.ts'
import { ensureProject, findProjectByName } from '../storage/repositories/projects-repository.ts'
import { describeEachDatabase, openTestDatabase } from '../testing/test-databases.ts'
import { ensureInitialProject } from './ensure-initial-project.ts'

const initEnv = () => ({
  ACP_INIT_PROJECT: `ip-${randomBytes(4).toString('hex')}`,
  ACP_INIT_API_KEY: `acp_init_key_${randomBytes(12).toString('hex')}`,
})

describeEachDatabase('ensureInitialProject', (getDb) => {
  it('creates the init project and key once, and finds them on the next start', async () => {
    const db = getDb()
    const env = initEnv()
    expect(await ensureInitialProject(db, env)).toEqual({ projectName: env.ACP_INIT_PROJECT })
    expect(await ensureInitialProject(db, env)).toEqual({ projectName: env.ACP_INIT_PROJECT })
    const project = await findProjectByName(db, env.ACP_INIT_PROJECT)
    expect(await listApiKeys(db, project!.id)).toEqual([
      expect.objectContaining({ name: 'ACP_INIT_API_KEY', scopes: ['ingest', 'read', 'admin'] }),
    ])
  })

  it("keeps no character of the operator's init key, only its hash and a fingerprint of that hash", async () => {
    const db = getDb()
    const env = { ...initEnv(), ACP_INIT_API_KEY: `prodsecret-${randomBytes(5).toString('hex')}` }
    await ensureInitialProject(db, env)
    const { rows } = await db.query<{ keyPrefix: string; keyHash: string }>(
      `SELECT key_prefix AS "keyPrefix", key_hash AS "keyHash" FROM api_keys WHERE key_hash = $1`,
      [hashApiKey(env.ACP_INIT_API_KEY)],
    )
    expect(rows).toEqual([
      {
        keyPrefix: `sha256:${hashApiKey(env.ACP_INIT_API_KEY).slice(0, 8)}`,
        keyHash: hashApiKey(env.ACP_INIT_API_KEY),
      },
    ])
  })

  it('refuses to start with a revoked init key, saying how to go on', async () => {
    const db = getDb()
    const env = initEnv()
    await ensureInitialProject(db, env)
    const project = await findProjectByName(db, env.ACP_INIT_PROJECT)
    const [key] = await listApiKeys(db, project!.id)
    expect(await revokeApiKey(db, { projectId: project!.id, id: key!.id })).toBeDefined()

    const refused = ensureInitialProject(db, env)
    await expect(refused).rejects.toBeInstanceOf(EnvError)
    await expect(refused).rejects.toThrow(
      'Invalid configuration: ACP_INIT_API_KEY: this key was revoked, and a revoked key is never accepted again; set ACP_INIT_API_KEY to a new value (at least 20 characters), or unset ACP_INIT_PROJECT and ACP_INIT_API_KEY. See docs/configuration.md.',
    )
    // Nothing was revived, and a new value starts as it should.
    expect(await findActiveApiKeyByHash(db, hashApiKey(env.ACP_INIT_API_KEY))).toBeUndefined()
    const renewed = { ...env, ACP_INIT_API_KEY: `${env.ACP_INIT_API_KEY}-2` }
    expect(await ensureInitialProject(db, renewed)).toEqual({ projectName: env.ACP_INIT_PROJECT })
  })

  it('refuses an init key that belongs to another project instead of ignoring it', async () => {
    const db = getDb()
    const env = initEnv()
    await ensureInitialProject(db, env)
    const other = { ...env, ACP_INIT_PROJECT: `${env.ACP_INIT_PROJECT}-other` }
    await expect(ensureInitialProject(db, other)).rejects.toThrow(
      `Invalid configuration: ACP_INIT_API_KEY: is already a key of project "${env.ACP_INIT_PROJECT}", not of ACP_INIT_PROJECT "${other.ACP_INIT_PROJECT}"; set ACP_INIT_API_KEY to a new value, set ACP_INIT_PROJECT=${env.ACP_INIT_PROJECT}, or unset both. See docs/configuration.md.`,
    )
    // The refused start created nothing.
    expect(await findProjectByName(db, other.ACP_INIT_PROJECT)).toBeUndefined()
  })

  it('lets servers that start together with a new init key all start', async () => {
    const db = getDb()
    const env = initEnv()
    await ensureProject(db, env.ACP_INIT_PROJECT)
    const outcomes = await Promise.all([1, 2, 3].map(() => ensureInitialProject(db, env)))
    expect(outcomes).toEqual([1, 2, 3].map(() => ({ projectName: env.ACP_INIT_PROJECT })))
    expect(await findActiveApiKeyByHash(db, hashApiKey(env.ACP_INIT_API_KEY))).toBeDefined()
  })
})

describe('ensureInitialProject on an empty database', () => {
  it('creates one first-run key when servers start together on PostgreSQL', async () => {
    const { db, dispose } = await openTestDatabase('postgres')
    try {
      const noInit = { ACP_INIT_PROJECT: undefined, ACP_INIT_API_KEY: undefined }
      const outcomes = await Promise.all([1, 2, 3, 4].map(() => ensureInitialProject(db, noInit)))
      expect(outcomes.filter((outcome) => outcome.generatedKey !== undefined)).toHaveLength(1)
      const project = await findProjectByName(db, 'default')
      expect(await listApiKeys(db, project!.id)).toHaveLength(1)
    } finally {
      await dispose()
    }
  })
})
