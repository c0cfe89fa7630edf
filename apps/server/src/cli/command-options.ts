import { parseArgs } from 'node:util'
import { JobError } from '../jobs/job-error.ts'
import { FIRST_SUPPORTED_UTC_DAY, isUtcDay, LAST_SUPPORTED_UTC_DAY } from '../jobs/utc-days.ts'
import type { Queryable } from '../storage/database.ts'
import {
  findProjectByName,
  listProjectNames,
  PROJECT_NAME_PATTERN,
  PROJECT_NAME_RULE,
  type Project,
} from '../storage/repositories/projects-repository.ts'
import { CliError } from './cli-error.ts'

/** Whether the arguments ask for help: `--help` or `-h` anywhere before a `--`. */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--')
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h')
}

/** `words` as a sentence lists them: "a", "a and b", "a, b and c". */
export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('')
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`
}

function listOptions(names: readonly string[]): string {
  return names.length === 0 ? 'no options' : listWords(names.map((name) => `--${name}`))
}

/** The options a command takes, each a switch or an option with a value. */
type CommandOptionsConfig = Record<string, { type: 'string' | 'boolean' }>

/**
 * Reads `args` as the options of `command` (`keys list`, `migrate`) and nothing else: another option,
 * one of another action included, a stray argument, an option given twice, an option without its
 * value or with a blank one, or a value given to a switch is wrong usage, answered in one line.
 */
export function parseCommandOptions<const Options extends CommandOptionsConfig>(
  command: string,
  args: string[],
  options: Options,
) {
  const takes = `it takes ${listOptions(Object.keys(options))}`
  const usage = `\`${command} --help\` shows its usage`
  // Node's own checks would refuse a value that starts with a dash (`--events -5`) as "ambiguous", in
  // three lines: the tokens are checked here instead, and each option handed back as `--name=value`.
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true })
  const given = new Map<string, string>()
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue
    if (token.kind === 'positional')
      throw new CliError(`\`${command}\` takes no argument "${token.value}"; ${takes}.`, 2)
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined
    if (option === undefined)
      throw new CliError(`\`${command}\` has no option ${token.rawName}; ${takes}.`, 2)
    // The last one would win unseen: `keys create --project p1 --project p2` would make a key for p2.
    if (given.has(token.name))
      throw new CliError(`--${token.name} is given more than once; give it once (${usage}).`, 2)
    const { value } = token
    if (option.type === 'boolean') {
      if (value !== undefined) throw new CliError(`--${token.name} takes no value; got "${value}".`, 2)
      given.set(token.name, `--${token.name}`)
      continue
    }
    // Node takes the next word whatever it is: an option there means this one's value was left out.
    if (value === undefined || (!token.inlineValue && value.startsWith('--')))
      throw new CliError(`--${token.name} needs a value (${usage}).`, 2)
    if (value.trim() === '') throw new CliError(`--${token.name} needs a value; got "${value}".`, 2)
    given.set(token.name, `--${token.name}=${value}`)
  }
  return parseArgs({ args: [...given.values()], options, strict: true, allowPositionals: false }).values
}

/** Reads `--project`: required unless a fallback is given, and a valid project name either way. */
export function parseProjectOption(text: string | undefined, fallback?: string): string {
  const name = text ?? fallback
  if (name === undefined) throw new CliError('--project NAME is required.', 2)
  if (!PROJECT_NAME_PATTERN.test(name))
    throw new CliError(`--project must be ${PROJECT_NAME_RULE}; got "${name}".`, 2)
  return name
}

/** Reads a `YYYY-MM-DD` option; required unless a fallback is given. */
export function parseDayOption(option: string, text: string | undefined): string {
  if (text === undefined) throw new CliError(`--${option} YYYY-MM-DD is required.`, 2)
  if (!isUtcDay(text)) {
    throw new CliError(
      `--${option} takes a real date written YYYY-MM-DD, from ${FIRST_SUPPORTED_UTC_DAY} to ${LAST_SUPPORTED_UTC_DAY}; got "${text}".`,
      2,
    )
  }
  return text
}

/** Reads a whole-number option within [min, max]. */
export function parseCountOption(input: {
  option: string
  text: string | undefined
  fallback: number
  min: number
  max: number
}): number {
  if (input.text === undefined) return input.fallback
  const value = Number(input.text)
  if (
    !/^\d+$/.test(input.text.trim()) ||
    !Number.isSafeInteger(value) ||
    value < input.min ||
    value > input.max
  ) {
    throw new CliError(
      `--${input.option} takes a whole number from ${input.min} to ${input.max}; got "${input.text}".`,
      2,
    )
  }
  return value
}

// The form in which `keys list` and `prices list` show ids; anything else would reach PostgreSQL's uuid type and fail there.
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Reads `--id`: the id of a row as a listing command shows it, checked before any database is opened. */
export function parseIdOption(input: {
  text: string | undefined
  /** The id as usage text names it, e.g. `KEY_ID`. */
  valueName: string
  /** What the id is, e.g. "a key id". */
  noun: string
  /** The command that lists the ids, e.g. `keys list`. */
  listCommand: string
}): string {
  if (!input.text)
    throw new CliError(`--id ${input.valueName} is required (see \`${input.listCommand}\`).`, 2)
  if (!UUID_PATTERN.test(input.text)) {
    throw new CliError(
      `--id must be ${input.noun} as \`${input.listCommand}\` shows it (a UUID such as 0b8e1c52-4c1f-4d3a-9f5e-2a7d6c3b1e90); got "${input.text}".`,
      2,
    )
  }
  return input.text
}

// Projects named in the message for an unknown one: enough to spot a typo, not a page of output.
const PROJECTS_LISTED = 20

/**
 * The project named by `--project` (read by `parseProjectOption`), or a CLI error that lists the
 * projects there are, so a mistyped name is easy to spot.
 */
export async function requireProject(db: Queryable, name: string): Promise<Project> {
  const project = await findProjectByName(db, name)
  if (project) return project
  const { names, total } = await listProjectNames(db, PROJECTS_LISTED)
  const known =
    total === 0
      ? 'There is no project yet.'
      : `Projects: ${names.join(', ')}${total > names.length ? `, and ${total - names.length} more` : ''}.`
  throw new CliError(
    `No project named "${name}". ${known} \`npx ai-cost-profiler keys create --project ${name}\` creates a new one with its first key.`,
  )
}

/** Runs `work`, turning a job that cannot start (already running, bad range) into a CLI error. */
export async function asCliJob<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (JobError.isInstance(error))
      throw new CliError(error.message, error.code === 'INVALID_JOB_PARAMS' ? 2 : 1)
    throw error
  }
}
