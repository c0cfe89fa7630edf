/** One command (or one action of it, `keys create`) and its lines in the usage text. */
interface UsageEntry {
  command: string
  text: string
}

const ENTRIES: readonly UsageEntry[] = [
  {
    command: 'serve',
    text: '  serve                         Run the server (default: embedded database in ACP_DATA_DIR)',
  },
  {
    command: 'migrate',
    text: `  migrate [--dry-run] [--down [--to VERSION]]
                                Apply (or roll back) database migrations`,
  },
  {
    command: 'keys create',
    text: '  keys create --project NAME [--scope ingest,read[,admin]] [--name TEXT]',
  },
  { command: 'keys list', text: '  keys list --project NAME' },
  { command: 'keys revoke', text: '  keys revoke --project NAME --id KEY_ID' },
  {
    command: 'seed',
    text: `  seed [--events N] [--days D] [--project NAME] [--seed-value V] [--quiet]
                                Store N realistic demo calls (default 10000) over the last D
                                days (default 30) in project NAME (default demo); the same
                                seed value adds no duplicates`,
  },
  {
    command: 'backfill',
    text: `  backfill --from YYYY-MM-DD --to YYYY-MM-DD [--include-today] [--delay-ms 1000] [--batch-days 7]
           [--concurrency 1] [--json] [--quiet]
                                Build the daily aggregates of closed days; resumable, safe while
                                servers run on the same PostgreSQL`,
  },
  {
    command: 'recompute',
    text: `  recompute --from YYYY-MM-DD --to YYYY-MM-DD [--model M] [--project NAME] [--dry-run] [--json]
                                Re-price stored calls with today's prices; prints the diff per model`,
  },
  {
    command: 'retention',
    text: `  retention [--dry-run] [--project NAME]
                                Delete raw calls older than each project's retention days`,
  },
  {
    command: 'retention set',
    text: `  retention set --project NAME --days N
                                Keep N days (1-3650) of the project's raw calls`,
  },
  { command: 'prices list', text: '  prices list --project NAME' },
  {
    command: 'prices set',
    text: `  prices set --project NAME --provider P --model M --from DATE --input USD --output USD
             [--cache-read USD] [--cache-write USD] [--cache-write-1h USD] [--reasoning USD]
             [--input-audio USD] [--output-audio USD] [--input-image USD] [--output-image USD]
                                Set a project's own price (USD per million tokens) from DATE on;
                                a bucket left out is billed as its parent (see docs/cli.md)`,
  },
  { command: 'prices delete', text: '  prices delete --project NAME --id OVERRIDE_ID [--version N]' },
  {
    command: 'help',
    text: `  help [COMMAND]                Show this text, or the usage of COMMAND (also \`COMMAND --help\`)
  --version                     Print the version`,
  },
]

const FOOTER = 'Configuration comes from the environment; see docs/configuration.md.'

/** The whole usage text: every command and its options. */
export const USAGE = `Usage: ai-cost-profiler <command> [options]

Commands:
${ENTRIES.map((entry) => entry.text).join('\n')}

${FOOTER}`

const entriesOf = (topic: string): UsageEntry[] =>
  ENTRIES.filter((entry) => entry.command === topic || entry.command.startsWith(`${topic} `))

/**
 * What `--help` after a command shows: `keys create --help` the usage of that action, `keys --help`
 * (or an unknown action) that of every action of the command.
 */
export function commandUsage(command: string, args: readonly string[]): string {
  const action = args[0]
  const topic =
    action !== undefined && !action.startsWith('-') && entriesOf(`${command} ${action}`).length > 0
      ? `${command} ${action}`
      : command
  const lines = entriesOf(topic).map((entry) => `  ai-cost-profiler ${entry.text.slice(2)}`)
  return `Usage:\n${lines.join('\n')}\n\nSee docs/cli.md. ${FOOTER}`
}
