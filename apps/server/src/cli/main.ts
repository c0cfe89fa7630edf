import { parseArgs } from 'node:util'
import { EnvError, parseEnv } from '../env.ts'
import { createLogger } from '../logging/logger.ts'
import { StorageError } from '../storage/storage-error.ts'
import { backfillCommand } from './backfill-command.ts'
import { CliError } from './cli-error.ts'
import { keysCommand } from './keys-command.ts'
import { migrateCommand } from './migrate-command.ts'
import { pricesCommand } from './prices-command.ts'
import { recomputeCommand } from './recompute-command.ts'
import { retentionCommand } from './retention-command.ts'
import { seedCommand } from './seed-command.ts'
import { serveCommand } from './serve-command.ts'

const USAGE = `Usage: ai-cost-profiler <command> [options]

Commands:
  serve                         Run the server (default: embedded database in ACP_DATA_DIR)
  migrate [--dry-run] [--down [--to VERSION]]
                                Apply (or roll back) database migrations
  keys create --project NAME [--scope ingest,read[,admin]] [--name TEXT]
  keys list --project NAME
  keys revoke --project NAME --id KEY_ID
  seed [--events N] [--days D] [--project NAME] [--seed-value V] [--quiet]
                                Store N realistic demo calls (default 10000) over the last D
                                days (default 30) in project NAME (default demo); the same
                                seed value adds no duplicates
  backfill --from YYYY-MM-DD --to YYYY-MM-DD [--include-today] [--delay-ms 1000] [--batch-days 7]
           [--concurrency 1] [--json] [--quiet]
                                Build the daily aggregates of closed days; resumable, safe while
                                servers run on the same PostgreSQL
  recompute --from YYYY-MM-DD --to YYYY-MM-DD [--model M] [--project NAME] [--dry-run] [--json]
                                Re-price stored calls with today's prices; prints the diff per model
  retention [--dry-run] [--project NAME]
                                Delete raw calls older than each project's retention days
  retention set --project NAME --days N
                                Keep N days (1-3650) of the project's raw calls
  prices list --project NAME
  prices set --project NAME --provider P --model M --from DATE --input USD --output USD
             [--cache-read USD] [--cache-write USD] [--cache-write-1h USD] [--reasoning USD]
             [--input-audio USD] [--output-audio USD] [--input-image USD] [--output-image USD]
                                Set a project's own price (USD per million tokens) from DATE on;
                                a bucket left out is billed as its parent (see docs/cli.md)
  prices delete --project NAME --id OVERRIDE_ID [--version N]
  help                          Show this text

Configuration comes from the environment; see docs/configuration.md.`

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

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv.slice(0, 1), allowPositionals: true, strict: false })
  const name = positionals[0] ?? 'help'
  if (name === 'help' || name === '--help' || name === '-h') {
    console.log(USAGE)
    return 0
  }
  const command = COMMANDS[name]
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${USAGE}`)
    return 2
  }
  try {
    const env = parseEnv()
    // The server logs on stdout; another command's stdout is its answer (one JSON document with --json), so
    // its logs go to stderr.
    const logger = createLogger({
      level: env.LOG_LEVEL,
      ...(command === serveCommand ? {} : { write: (line: string) => process.stderr.write(`${line}\n`) }),
    })
    return await command(argv.slice(1), { env, logger, print: (text) => console.log(text) })
  } catch (error) {
    if (error instanceof EnvError || error instanceof CliError || StorageError.isInstance(error)) {
      console.error(`Error: ${error.message}`)
      return error instanceof CliError ? error.exitCode : 1
    }
    if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`Error: ${error.message}\n\n${USAGE}`)
      return 2
    }
    throw error
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runCli(process.argv.slice(2))
}
