import { readFileSync } from 'node:fs'
import { EnvError, parseEnv } from '../env.ts'
import { createLogger } from '../logging/logger.ts'
import { StorageError } from '../storage/storage-error.ts'
import { backfillCommand } from './backfill-command.ts'
import { CliError } from './cli-error.ts'
import { wantsHelp } from './command-options.ts'
import { keysCommand } from './keys-command.ts'
import { migrateCommand } from './migrate-command.ts'
import { pricesCommand } from './prices-command.ts'
import { recomputeCommand } from './recompute-command.ts'
import { retentionCommand } from './retention-command.ts'
import { seedCommand } from './seed-command.ts'
import { serveCommand } from './serve-command.ts'
import { commandUsage, USAGE } from './usage.ts'

/** A command: gets the remaining argv and the parsed environment; returns the exit code. */
export type Command = (args: string[], context: CommandContext) => Promise<number>

/** What every command receives. */
export interface CommandContext {
  env: ReturnType<typeof parseEnv>
  logger: ReturnType<typeof createLogger>
  print: (text: string) => void
}

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  migrate: migrateCommand,
  keys: keysCommand,
  seed: seedCommand,
  backfill: backfillCommand,
  recompute: recomputeCommand,
  retention: retentionCommand,
  prices: pricesCommand,
}

/** The server package's version, which `--version` prints. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  return String(manifest.version)
}

// Wrong usage is one line (docs/cli.md); the whole usage is one command away.
const SEE_USAGE = 'Run `npx ai-cost-profiler help` for the commands and their options.'

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [name = 'help', ...args] = argv
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = args[0]
    if (topic === undefined || topic.startsWith('-')) {
      console.log(USAGE)
      return 0
    }
    if (!Object.hasOwn(COMMANDS, topic)) {
      console.error(`Unknown command "${topic}". ${SEE_USAGE}`)
      return 2
    }
    console.log(commandUsage(topic, args.slice(1)))
    return 0
  }
  if (name === '--version') {
    if (args.length > 0) {
      console.error(`Error: --version takes no arguments; got "${args.join(' ')}".`)
      return 2
    }
    console.log(packageVersion())
    return 0
  }
  // An option before the command would otherwise be taken for nothing, or for the command's name.
  if (name.startsWith('-')) {
    console.error(`Unknown option "${name}"; a command's options go after its name. ${SEE_USAGE}`)
    return 2
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (!command) {
    console.error(`Unknown command "${name}". ${SEE_USAGE}`)
    return 2
  }
  // Before the environment is read: help needs no configuration, and changes nothing.
  if (wantsHelp(args)) {
    console.log(commandUsage(name, args))
    return 0
  }
  try {
    const env = parseEnv()
    // The server logs on stdout; another command's stdout is its answer (one JSON document with --json), so
    // its logs go to stderr.
    const logger = createLogger({
      level: env.LOG_LEVEL,
      ...(command === serveCommand ? {} : { write: (line: string) => process.stderr.write(`${line}\n`) }),
    })
    return await command(args, { env, logger, print: (text) => console.log(text) })
  } catch (error) {
    if (error instanceof EnvError || error instanceof CliError || StorageError.isInstance(error)) {
      console.error(`Error: ${error.message}`)
      return error instanceof CliError ? error.exitCode : 1
    }
    throw error
  }
}

/**
 * Runs the CLI as this process and sets its exit code. A reader that closes stdout early
 * (`ai-cost-profiler migrate --dry-run | head -1`) ends the output, not the command: what it still
 * prints is dropped, what it writes to the database is finished, and no stack trace is shown.
 * @example
 * await runCliProcess(process.argv.slice(2))
 */
export async function runCliProcess(argv: string[]): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
  })
  process.exitCode = await runCli(argv)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runCliProcess(process.argv.slice(2))
}
