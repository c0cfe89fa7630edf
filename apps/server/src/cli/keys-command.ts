import { API_KEY_SCOPES, type ApiKeyScope, generateApiKey } from '../keys/api-key.ts'
import { API_KEY_REVOKED_CHANNEL } from '../messaging/message-bus.ts'
import { insertApiKey, listApiKeys, revokeApiKey } from '../storage/repositories/api-keys-repository.ts'
import { ensureProject } from '../storage/repositories/projects-repository.ts'
import { announceToServers } from './announce-to-servers.ts'
import { CliError } from './cli-error.ts'
import { parseCommandOptions, parseIdOption, parseProjectOption, requireProject } from './command-options.ts'
import type { Command } from './main.ts'
import { withCurrentDatabase, withMigratedDatabase } from './with-database.ts'

// The longest `api_keys.name` (migration 0001).
const MAX_KEY_NAME_LENGTH = 200
// How long a running server keeps a key it looked up (http/middleware/authenticate.ts): a revoked key
// that Redis did not announce is refused once that time is up.
const KEY_CACHE_SECONDS = 30
// Control characters and line separators: `keys list` prints one key a line, the name last.
const UNPRINTABLE_IN_NAME = /[\p{Cc}\p{Zl}\p{Zp}]/u

// An empty entry (`ingest,,read`) is most likely a scope left out by mistake, so it is refused; a
// repeated one means the same key, and is kept once.
function parseScopes(text: string | undefined): ApiKeyScope[] {
  const scopes = (text ?? 'ingest,read').split(',').map((scope) => scope.trim())
  const unknown = scopes.filter((scope) => !API_KEY_SCOPES.includes(scope as ApiKeyScope))
  if (unknown.length > 0) {
    throw new CliError(
      `--scope takes a comma-separated list of ${API_KEY_SCOPES.join(', ')}${unknown.includes('') ? ', without empty entries' : ''}; got "${text}".`,
      2,
    )
  }
  return [...new Set(scopes)] as ApiKeyScope[]
}

/** `keys create --project NAME [--scope LIST] [--name TEXT]`: the new key is printed once. */
const createKey: Command = async (args, { env, print }) => {
  const values = parseCommandOptions('keys create', args, {
    project: { type: 'string' },
    scope: { type: 'string' },
    name: { type: 'string' },
  })
  // Every option is checked before the database is opened, so wrong usage changes nothing.
  const projectName = parseProjectOption(values.project)
  const scopes = parseScopes(values.scope)
  // Counted in characters, as PostgreSQL's length() counts them.
  const nameLength = [...(values.name ?? '')].length
  if (nameLength > MAX_KEY_NAME_LENGTH) {
    throw new CliError(`--name must be at most ${MAX_KEY_NAME_LENGTH} characters; got ${nameLength}.`, 2)
  }
  if (values.name !== undefined && UNPRINTABLE_IN_NAME.test(values.name)) {
    throw new CliError(
      `--name must not contain control characters such as a newline or a tab, which would split \`keys list\` output; got ${JSON.stringify(values.name)}.`,
      2,
    )
  }
  return withMigratedDatabase(env, async (db) => {
    const { project, created } = await ensureProject(db, projectName)
    const key = generateApiKey()
    const record = await insertApiKey(db, {
      projectId: project.id,
      key,
      origin: 'generated',
      scopes,
      name: values.name,
    })
    if (created) print(`Created project "${project.name}".`)
    print(
      `API key ${record.id} (${scopes.join(', ')}) for project "${project.name}". Store it now; it is not shown again:\n\n${key}\n`,
    )
    return 0
  })
}

/** `keys list --project NAME`: ids, prefixes, scopes and dates; never a whole key. */
const listKeys: Command = async (args, { env, print }) => {
  const values = parseCommandOptions('keys list', args, { project: { type: 'string' } })
  const projectName = parseProjectOption(values.project)
  return withCurrentDatabase(env, async (db) => {
    const project = await requireProject(db, projectName)
    const keys = await listApiKeys(db, project.id)
    if (keys.length === 0) print('No keys.')
    for (const key of keys) {
      print(
        `${key.id}  ${key.keyPrefix}…  ${key.scopes.join(',')}  created ${key.createdAt}${key.revokedAt ? `  revoked ${key.revokedAt}` : ''}  ${key.name}`,
      )
    }
    return 0
  })
}

/** `keys revoke --project NAME --id KEY_ID`: servers sharing REDIS_URL drop the key at once. */
const revokeKey: Command = async (args, { env, print }) => {
  const values = parseCommandOptions('keys revoke', args, {
    project: { type: 'string' },
    id: { type: 'string' },
  })
  const projectName = parseProjectOption(values.project)
  const id = parseIdOption({
    text: values.id,
    valueName: 'KEY_ID',
    noun: 'a key id',
    listCommand: 'keys list',
  })
  return withMigratedDatabase(env, async (db) => {
    const project = await requireProject(db, projectName)
    const keyHash = await revokeApiKey(db, { projectId: project.id, id })
    if (!keyHash) {
      const revokedAt = (await listApiKeys(db, project.id)).find((key) => key.id === id)?.revokedAt
      throw new CliError(
        revokedAt
          ? `Key ${id} of project "${projectName}" was already revoked at ${revokedAt}; nothing changed.`
          : `No key ${id} in project "${projectName}" (see \`keys list --project ${projectName}\`).`,
      )
    }
    if (!env.REDIS_URL) {
      print(`Revoked ${id}. Running servers stop accepting it within ${KEY_CACHE_SECONDS} seconds.`)
      return 0
    }
    const failure = await announceToServers(env.REDIS_URL, API_KEY_REVOKED_CHANNEL, keyHash)
    print(
      failure === undefined
        ? `Revoked ${id}; servers sharing REDIS_URL dropped it at once.`
        : `Revoked ${id}, but running servers could not be told at once: ${failure}. They stop accepting the key within ${KEY_CACHE_SECONDS} seconds, when their key cache expires.`,
    )
    return 0
  })
}

const ACTIONS: Readonly<Record<string, Command>> = { create: createKey, list: listKeys, revoke: revokeKey }

/** `keys create | list | revoke`: a new key is printed once; only its hash is stored. */
export const keysCommand: Command = async (args, context) => {
  const [action, ...rest] = args
  if (action === undefined || action.startsWith('-'))
    throw new CliError('`keys` needs an action: create, list or revoke (`keys --help` shows their usage).', 2)
  // Checked first, so a mistyped action opens no database and asks for nothing else.
  const run = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined
  if (run === undefined) throw new CliError(`Unknown keys action "${action}"; use create, list or revoke.`, 2)
  return run(rest, context)
}
