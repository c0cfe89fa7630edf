import { parseArgs } from 'node:util'
import { API_KEY_SCOPES, type ApiKeyScope, generateApiKey } from '../keys/api-key.ts'
import { API_KEY_REVOKED_CHANNEL } from '../messaging/message-bus.ts'
import { openMessageBus } from '../messaging/open-message-bus.ts'
import { migrateUp } from '../storage/migrator.ts'
import { insertApiKey, listApiKeys, revokeApiKey } from '../storage/repositories/api-keys-repository.ts'
import {
  ensureProject,
  findProjectByName,
  PROJECT_NAME_PATTERN,
  PROJECT_NAME_RULE,
} from '../storage/repositories/projects-repository.ts'
import { CliError } from './cli-error.ts'
import { parseIdOption } from './command-options.ts'
import type { Command } from './main.ts'
import { withDatabase } from './with-database.ts'

// The longest `api_keys.name` (migration 0001).
const MAX_KEY_NAME_LENGTH = 200

function parseScopes(text: string | undefined): ApiKeyScope[] {
  const scopes = (text ?? 'ingest,read')
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean)
  const unknown = scopes.filter((scope) => !API_KEY_SCOPES.includes(scope as ApiKeyScope))
  if (scopes.length === 0 || unknown.length > 0) {
    throw new CliError(
      `--scope takes a comma-separated list of ${API_KEY_SCOPES.join(', ')}; got "${text}".`,
      2,
    )
  }
  return [...new Set(scopes)] as ApiKeyScope[]
}

const parseKeyId = (text: string | undefined): string =>
  parseIdOption({ text, valueName: 'KEY_ID', noun: 'a key id', listCommand: 'keys list' })

/** `keys create | list | revoke`: a new key is printed once; only its hash is stored. */
export const keysCommand: Command = async (args, { env, print }) => {
  const [action = '', ...rest] = args
  // Checked first, so a mistyped action opens no database and asks for nothing else.
  if (action !== 'create' && action !== 'list' && action !== 'revoke')
    throw new CliError(`Unknown keys action "${action}"; use create, list or revoke.`, 2)
  const { values } = parseArgs({
    args: rest,
    options: {
      project: { type: 'string' },
      scope: { type: 'string' },
      name: { type: 'string' },
      id: { type: 'string' },
    },
  })
  // Every option is checked before the database is opened, so wrong usage changes nothing.
  if (!values.project) throw new CliError('--project NAME is required.', 2)
  const projectName = values.project
  if (!PROJECT_NAME_PATTERN.test(projectName)) {
    throw new CliError(`--project must be ${PROJECT_NAME_RULE}; got "${projectName}".`, 2)
  }
  const scopes = action === 'create' ? parseScopes(values.scope) : []
  // Counted in characters, as PostgreSQL's length() counts them.
  const nameLength = [...(values.name ?? '')].length
  if (nameLength > MAX_KEY_NAME_LENGTH) {
    throw new CliError(`--name must be at most ${MAX_KEY_NAME_LENGTH} characters; got ${nameLength}.`, 2)
  }
  if (action === 'revoke') parseKeyId(values.id)
  return withDatabase(env, async (db) => {
    await migrateUp(db)
    if (action === 'create') {
      const { project, created } = await ensureProject(db, projectName)
      const key = generateApiKey()
      const record = await insertApiKey(db, { projectId: project.id, key, scopes, name: values.name })
      if (created) print(`Created project "${project.name}".`)
      print(
        `API key ${record.id} (${scopes.join(', ')}) for project "${project.name}". Store it now; it is not shown again:\n\n${key}\n`,
      )
      return 0
    }
    const project = await findProjectByName(db, projectName)
    if (!project)
      throw new CliError(`No project named "${projectName}". Create a key with \`keys create\` to create it.`)
    if (action === 'list') {
      const keys = await listApiKeys(db, project.id)
      if (keys.length === 0) print('No keys.')
      for (const key of keys) {
        print(
          `${key.id}  ${key.keyPrefix}…  ${key.scopes.join(',')}  created ${key.createdAt}${key.revokedAt ? `  revoked ${key.revokedAt}` : ''}  ${key.name}`,
        )
      }
      return 0
    }
    // The action left is revoke; its --id passed the same check before the database was opened.
    const id = parseKeyId(values.id)
    const keyHash = await revokeApiKey(db, { projectId: project.id, id })
    if (!keyHash) throw new CliError(`No live key ${id} in project "${projectName}".`)
    if (env.REDIS_URL) {
      const bus = await openMessageBus(env.REDIS_URL)
      try {
        await bus.publish(API_KEY_REVOKED_CHANNEL, keyHash)
      } finally {
        await bus.close()
      }
      print(`Revoked ${id}; servers sharing REDIS_URL dropped it at once.`)
    } else {
      print(`Revoked ${id}. Running servers stop accepting it within 30 seconds.`)
    }
    return 0
  })
}
