import type { TokenPrices } from '@ai-cost-profiler/core'
import { priceOverrideBody } from '../http/routes/price-overrides-routes.ts'
import { PRICE_OVERRIDES_CHANGED_CHANNEL } from '../ingest/price-overrides-cache.ts'
import { utcDayOf } from '../jobs/utc-days.ts'
import {
  deletePriceOverride,
  findPriceOverrideById,
  insertPriceOverride,
  listPriceOverrides,
  type PriceOverrideDuplicate,
  type PriceOverrideRecord,
  updatePriceOverride,
} from '../storage/repositories/price-overrides-repository.ts'
import { announceToServers } from './announce-to-servers.ts'
import { CliError } from './cli-error.ts'
import {
  listWords,
  parseCommandOptions,
  parseCountOption,
  parseIdOption,
  parseProjectOption,
  requireProject,
} from './command-options.ts'
import type { Command, CommandContext } from './main.ts'
import { withCurrentDatabase, withMigratedDatabase } from './with-database.ts'

/** `prices set` options and the price bucket each sets. */
export const PRICE_OPTIONS = {
  input: 'input',
  output: 'output',
  'cache-read': 'cacheRead',
  'cache-write': 'cacheWrite',
  'cache-write-1h': 'cacheWrite1h',
  reasoning: 'reasoning',
  'input-audio': 'inputAudio',
  'output-audio': 'outputAudio',
  'input-image': 'inputImage',
  'output-image': 'outputImage',
} as const

type PriceOverrideInput = ReturnType<typeof priceOverrideBody.parse>

// A model id as one shell word: most are plain; another is quoted so the printed command runs as is.
function shellWord(text: string): string {
  return /^[\w.:/@+-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`
}

/** The recompute that re-prices the stored calls an override of `model` from `effectiveFrom` applied to. */
function repriceHint(input: { projectName: string; model: string; effectiveFrom: string }): string {
  const fromDay = input.effectiveFrom.slice(0, 10)
  const today = utcDayOf(Date.now())
  if (fromDay > today) return 'stored calls are older than its start, so none needs re-pricing'
  return `run \`npx ai-cost-profiler recompute --from ${fromDay} --to ${today} --project ${input.projectName} --model ${shellWord(input.model)}\` to re-price the stored calls it applies to`
}

// The options every override needs, as the usage writes them.
const REQUIRED_PRICE_OPTIONS = {
  provider: '--provider P',
  model: '--model M',
  from: '--from DATE',
  input: '--input USD',
  output: '--output USD',
} as const

/** The override `prices set` describes, or a usage error naming the missing options or every problem. */
function parsePriceOverride(values: Record<string, string | boolean | undefined>): PriceOverrideInput {
  const missing = Object.entries(REQUIRED_PRICE_OPTIONS)
    .filter(([option]) => values[option] === undefined)
    .map(([, usage]) => usage)
  if (missing.length > 0) {
    throw new CliError(`${listWords(missing)} ${missing.length === 1 ? 'is' : 'are'} required.`, 2)
  }
  const prices = Object.fromEntries(
    Object.entries(PRICE_OPTIONS).flatMap(([option, bucket]) => {
      const value = values[option]
      return value === undefined ? [] : [[bucket, value]]
    }),
  )
  const parsed = priceOverrideBody.safeParse({
    provider: values.provider,
    model: values.model,
    effectiveFrom: values.from,
    prices,
  })
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map(
    (issue) =>
      `${issue.path
        .join('.')
        .replace('effectiveFrom', 'from')
        .replace(/^prices\./, '')} ${issue.message}`,
  )
  throw new CliError(
    `Invalid price override: ${problems.join('; ')} (\`prices set --help\` shows its usage).`,
    2,
  )
}

function describePrices(prices: Partial<TokenPrices>): string {
  return Object.entries(prices)
    .map(([bucket, price]) => `${bucket} ${price}`)
    .join(', ')
}

// The tiers an override carries (set through the API), so a listing shows every rate it bills.
function describeTiers(override: Pick<PriceOverrideRecord, 'serviceTiers' | 'longContext'>): string {
  const tiers = Object.entries(override.serviceTiers).map(([tier, pricing]) =>
    'prices' in pricing
      ? `; ${tier}: ${describePrices(pricing.prices)}`
      : `; ${tier} x${pricing.multiplier}${pricing.appliesToLongContext === false ? ' (short prompts only)' : ''}`,
  )
  const longContext = override.longContext.map(
    (tier) => `; above ${tier.aboveInputTokens} input tokens: ${describePrices(tier.prices)}`,
  )
  return [...longContext, ...tiers].join('')
}

/** `prices list --project NAME`: the project's overrides with their id and version. */
const listPrices: Command = async (args, { env, print }) => {
  const values = parseCommandOptions('prices list', args, { project: { type: 'string' } })
  const projectName = parseProjectOption(values.project)
  return withCurrentDatabase(env, async (db) => {
    const project = await requireProject(db, projectName)
    const overrides = await listPriceOverrides(db, project.id)
    if (overrides.length === 0) print('No price overrides.')
    for (const override of overrides) {
      print(
        `${override.id}  v${override.version}  ${override.provider}/${override.model} from ${override.effectiveFrom}: ${describePrices(override.prices)} (USD per million tokens)${describeTiers(override)}`,
      )
    }
    return 0
  })
}

/**
 * Tells the running servers that the project's overrides changed (at once with REDIS_URL; otherwise they
 * reload them within 30 s) and says which it was.
 */
async function reachServers(env: CommandContext['env'], projectId: string): Promise<string> {
  if (!env.REDIS_URL) return 'Running servers use the change within 30 s'
  const failure = await announceToServers(env.REDIS_URL, PRICE_OVERRIDES_CHANGED_CHANNEL, projectId)
  return failure === undefined
    ? 'Servers sharing REDIS_URL use the change at once'
    : `Running servers could not be told at once (${failure}); they use the change within 30 s`
}

// Pricing treats another case, an alias or a dated snapshot of a model as that model, so an override in
// another spelling from the same start would compete with the existing one: the existing one is named.
function sameModelError(duplicate: PriceOverrideDuplicate): CliError {
  const { existing } = duplicate
  if (existing === undefined)
    return new CliError(
      'An override with that provider, model and start was created meanwhile; run the command again.',
    )
  return new CliError(
    `Override ${existing.id} (${existing.provider}/${existing.model} from ${existing.effectiveFrom}) already prices that model from that start; run \`prices set\` with --model ${shellWord(existing.model)} to replace it, or delete it first.`,
  )
}

/**
 * `prices set --project NAME --provider P --model M --from DATE --input USD --output USD [buckets]`:
 * creates an override, or replaces the prices of the one with the same provider, model and start (its
 * service-tier and long-context rates, which only the API sets, stay).
 */
const setPrice: Command = async (args, { env, print }) => {
  const values = parseCommandOptions('prices set', args, {
    project: { type: 'string' },
    provider: { type: 'string' },
    model: { type: 'string' },
    from: { type: 'string' },
    ...Object.fromEntries(Object.keys(PRICE_OPTIONS).map((option) => [option, { type: 'string' as const }])),
  })
  // Every option is checked before the database is opened, so wrong usage changes nothing.
  const projectName = parseProjectOption(values.project)
  const input = parsePriceOverride(values)
  return withMigratedDatabase(env, async (db) => {
    const project = await requireProject(db, projectName)
    const existing = (await listPriceOverrides(db, project.id)).find(
      (override) =>
        override.provider === input.provider &&
        override.model === input.model &&
        override.effectiveFrom === input.effectiveFrom,
    )
    if (existing) {
      // The command sets bucket prices only: the override keeps the tiers the API gave it.
      const { serviceTiers, longContext } = existing
      const edit = await updatePriceOverride(db, {
        projectId: project.id,
        id: existing.id,
        version: existing.version,
        ...input,
        serviceTiers,
        longContext,
      })
      if (edit.status === 'duplicate') throw sameModelError(edit)
      if (edit.status !== 'updated')
        throw new CliError(
          `Override ${existing.id} changed while being updated (${edit.status}); run the command again.`,
        )
      print(
        `Updated override ${edit.record.id} to version ${edit.record.version}. ${await reachServers(env, project.id)}; ${repriceHint({ projectName: project.name, ...input })}.`,
      )
      return 0
    }
    const created = await insertPriceOverride(db, { projectId: project.id, ...input })
    if (created.status !== 'created') throw sameModelError(created)
    print(
      `Created override ${created.record.id} for ${input.provider}/${input.model} from ${input.effectiveFrom}. ${await reachServers(env, project.id)}; ${repriceHint({ projectName: project.name, ...input })}.`,
    )
    return 0
  })
}

/** `prices delete --project NAME --id ID [--version N]`: with `--version`, only if nobody changed it since. */
const deletePrice: Command = async (args, { env, print }) => {
  const values = parseCommandOptions('prices delete', args, {
    project: { type: 'string' },
    id: { type: 'string' },
    version: { type: 'string' },
  })
  // Every option is checked before the database is opened, so wrong usage changes nothing.
  const projectName = parseProjectOption(values.project)
  const id = parseIdOption({
    text: values.id,
    valueName: 'OVERRIDE_ID',
    noun: 'an override id',
    listCommand: 'prices list',
  })
  const version =
    values.version === undefined
      ? undefined
      : parseCountOption({ option: 'version', text: values.version, fallback: 1, min: 1, max: 2 ** 31 - 1 })
  return withMigratedDatabase(env, async (db) => {
    const project = await requireProject(db, projectName)
    const override = await findPriceOverrideById(db, { projectId: project.id, id })
    const deleted = await deletePriceOverride(db, { projectId: project.id, id, version })
    if (deleted.status === 'version-conflict')
      throw new CliError(
        `Override ${id} is at version ${deleted.currentVersion}, not ${version}; nothing deleted.`,
      )
    if (deleted.status !== 'deleted' || override === undefined)
      throw new CliError(`No override ${id} in project "${project.name}".`)
    print(
      `Deleted override ${id}. ${await reachServers(env, project.id)}; ${repriceHint({ projectName: project.name, ...override })}.`,
    )
    return 0
  })
}

const ACTIONS: Readonly<Record<string, Command>> = { list: listPrices, set: setPrice, delete: deletePrice }

/**
 * `prices list | set | delete --project NAME`: a project's own prices (USD per million tokens) from a date
 * on. Running servers use a change within 30 s; `recompute` re-prices calls already stored.
 */
export const pricesCommand: Command = async (args, context) => {
  const [action, ...rest] = args
  if (action === undefined || action.startsWith('-'))
    throw new CliError(
      '`prices` needs an action: list, set or delete (`prices --help` shows their usage).',
      2,
    )
  // Checked first, so a mistyped action opens no database and asks for nothing else.
  const run = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined
  if (run === undefined) throw new CliError(`Unknown prices action "${action}"; use list, set or delete.`, 2)
  return run(rest, context)
}
