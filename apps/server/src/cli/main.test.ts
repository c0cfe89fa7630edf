import { existsSync, readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { utcDayOf } from '../jobs/utc-days.ts'
import { openPostgresDatabase } from '../storage/postgres-database.ts'
import { ensureProject } from '../storage/repositories/projects-repository.ts'
import { type CliTestTarget, openCliTestTarget } from '../testing/cli-test-target.ts'
import { TEST_POSTGRES_URL } from '../testing/test-databases.ts'
import { runCli } from './main.ts'
import { PRICE_OPTIONS } from './prices-command.ts'

// The CLI reads the environment like the server does; each test points it at a schema of its own.

/** Points the environment at `target`'s database for one test; returns what puts it back. */
function pointEnvironmentAt(target: CliTestTarget, logLevel: string): () => void {
  const saved = { ...process.env }
  delete process.env.DATABASE_URL
  delete process.env.ACP_DATA_DIR
  Object.assign(process.env, target.env, { LOG_LEVEL: logLevel })
  return () => {
    process.env = saved
  }
}
// The options of a `prices set` but its project.
const PRICE_SET_OPTIONS = [
  '--provider',
  'acme',
  '--model',
  'm',
  '--from',
  '2025-01-01',
  '--input',
  '1',
  '--output',
  '2',
]

describe('CLI on PostgreSQL', () => {
  const schema = `test_cli_${process.pid}`
  const output: string[] = []
  let restoreEnv: NodeJS.ProcessEnv

  beforeEach(async () => {
    restoreEnv = { ...process.env }
    process.env.DATABASE_URL = `${TEST_POSTGRES_URL}?options=-c%20search_path%3D${schema}`
    process.env.LOG_LEVEL = 'silent'
    const admin = await openPostgresDatabase({ connectionString: TEST_POSTGRES_URL, schema })
    await admin.close()
    output.length = 0
    vi.spyOn(console, 'log').mockImplementation((text: string) => void output.push(text))
    vi.spyOn(console, 'error').mockImplementation((text: string) => void output.push(text))
  })

  /** How many tables the test's schema holds: 0 means the command opened no database. */
  async function tablesInSchema(): Promise<number> {
    const db = await openPostgresDatabase({ connectionString: TEST_POSTGRES_URL, schema })
    try {
      const { rows } = await db.query<{ count: string }>(
        'SELECT count(*) FROM information_schema.tables WHERE table_schema = $1',
        [schema],
      )
      return Number(rows[0]?.count)
    } finally {
      await db.close()
    }
  }

  afterEach(async () => {
    vi.restoreAllMocks()
    process.env = restoreEnv
    const admin = await openPostgresDatabase({ connectionString: TEST_POSTGRES_URL })
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin.close()
  })

  it('serve refuses arguments, which it would otherwise ignore, and says how it is configured', async () => {
    expect(await runCli(['serve', '--port', '4001'])).toBe(2)
    expect(output.join('\n')).toMatch(
      /serve takes no arguments; got "--port 4001"[\s\S]*PORT=4001[\s\S]*docs\/configuration.md/,
    )
    // Nothing was started or written: the schema has no tables yet.
    expect(await tablesInSchema()).toBe(0)
  })

  it('keys and prices with an unknown action or none say which exist, before opening the database', async () => {
    expect(await runCli(['keys', 'rotate', '--project', 'shop'])).toBe(2)
    expect(await runCli(['keys'])).toBe(2)
    expect(await runCli(['keys', '--project', 'shop'])).toBe(2)
    expect(await runCli(['prices'])).toBe(2)
    expect(output).toEqual([
      'Error: Unknown keys action "rotate"; use create, list or revoke.',
      'Error: `keys` needs an action: create, list or revoke (`keys --help` shows their usage).',
      'Error: `keys` needs an action: create, list or revoke (`keys --help` shows their usage).',
      'Error: `prices` needs an action: list, set or delete (`prices --help` shows their usage).',
    ])
    expect(await tablesInSchema()).toBe(0)
  })

  it('migrate --dry-run lists what would run and changes nothing; migrate applies it', async () => {
    expect(await runCli(['migrate', '--dry-run'])).toBe(0)
    expect(output.join('\n')).toMatch(
      /Would apply \d+ migration\(s\)[\s\S]*0001_initial[\s\S]*CREATE TABLE projects/,
    )
    output.length = 0
    expect(await runCli(['migrate', '--dry-run'])).toBe(0)
    expect(output.join('\n')).toMatch(/Would apply/)
    expect(await runCli(['migrate'])).toBe(0)
    expect(output.at(-1)).toMatch(/^Applied: 0001_initial/)
    expect(await runCli(['migrate'])).toBe(0)
    expect(output.at(-1)).toBe('Database is up to date.')
    expect(await runCli(['migrate', '--down', '--dry-run'])).toBe(0)
    expect(output.at(-1)).toMatch(/Would roll back:\n {2}\d{4}_/)
  })

  it('keys create prints a key once, keys list shows only its prefix, keys revoke ends it', async () => {
    expect(await runCli(['keys', 'create', '--project', 'shop', '--scope', 'ingest,read'])).toBe(0)
    const created = output.join('\n')
    const key = /(acp_[A-Za-z0-9_-]{43})/.exec(created)?.[1]
    const id = /API key ([0-9a-f-]{36})/.exec(created)?.[1]
    expect(key).toBeDefined()
    output.length = 0
    expect(await runCli(['keys', 'list', '--project', 'shop'])).toBe(0)
    expect(output.join('\n')).toContain(`${key!.slice(0, 8)}…`)
    expect(output.join('\n')).not.toContain(key!.slice(0, 9))
    expect(await runCli(['keys', 'revoke', '--project', 'shop', '--id', id!])).toBe(0)
    expect(await runCli(['keys', 'revoke', '--project', 'shop', '--id', id!])).toBe(1)
    expect(output.at(-1)).toMatch(
      new RegExp(
        `^Error: Key ${id} of project "shop" was already revoked at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z; nothing changed\\.$`,
      ),
    )
  })

  it('answers an unknown --project with the projects there are', async () => {
    expect(await runCli(['migrate'])).toBe(0)
    expect(await runCli(['prices', 'list', '--project', 'shop'])).toBe(1)
    expect(output.at(-1)).toBe(
      'Error: No project named "shop". There is no project yet. `npx ai-cost-profiler keys create --project shop` creates a new one with its first key.',
    )
    expect(await runCli(['keys', 'create', '--project', 'shop'])).toBe(0)
    expect(await runCli(['keys', 'create', '--project', 'billing'])).toBe(0)
    for (const command of [
      ['keys', 'list'],
      ['retention', '--dry-run'],
      ['prices', 'list'],
    ]) {
      expect(await runCli([...command, '--project', 'shpo']), command.join(' ')).toBe(1)
      expect(output.at(-1)).toBe(
        'Error: No project named "shpo". Projects: billing, shop. `npx ai-cost-profiler keys create --project shpo` creates a new one with its first key.',
      )
    }
  })

  it.each([
    [['prices', 'list'], '--project NAME is required.'],
    [['retention', 'set', '--days', '5'], '--project NAME is required.'],
    [['prices', 'set', ...PRICE_SET_OPTIONS], '--project NAME is required.'],
    [
      ['prices', 'delete', '--project', 'no spaces', '--id', '0b8e1c52-4c1f-4d3a-9f5e-2a7d6c3b1e90'],
      '--project must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit; got "no spaces".',
    ],
    [
      ['retention', '--dry-run', '--project=.hidden'],
      '--project must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit; got ".hidden".',
    ],
    [
      ['recompute', '--from', '2025-01-01', '--to', '2025-01-02', '--project', 'a/b'],
      '--project must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit; got "a/b".',
    ],
    [
      ['keys', 'create', '--project', 'p1', '--project', 'p2', '--scope', 'read'],
      '--project is given more than once; give it once (`keys create --help` shows its usage).',
    ],
    [
      ['keys', 'create', '--project', '-abc'],
      '--project must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit; got "-abc".',
    ],
    [
      ['recompute', '--from', '2025-01-01', '--to', '2025-01-02', '--model', ''],
      '--model needs a value; got "".',
    ],
    [['prices', 'set', '--project', 'shop', ...PRICE_SET_OPTIONS.slice(0, -2)], '--output USD is required.'],
  ])('refuses %j with exit code 2 before the database is opened', async (argv, message) => {
    expect(await runCli(argv)).toBe(2)
    expect(output).toEqual([`Error: ${message}`])
    expect(await tablesInSchema()).toBe(0)
  })

  it.each([
    [
      [
        'prices',
        'set',
        '--project',
        'shop',
        ...PRICE_SET_OPTIONS,
        '--version',
        '99',
        '--id',
        '0b8e1c52-4c1f-4d3a-9f5e-2a7d6c3b1e90',
      ],
      '`prices set` has no option --version; it takes --project, --provider, --model, --from, --input, --output, --cache-read, --cache-write, --cache-write-1h, --reasoning, --input-audio, --output-audio, --input-image and --output-image.',
    ],
    [
      ['keys', 'list', '--project', 'shop', '--scope', 'admin', '--name', 'foo'],
      '`keys list` has no option --scope; it takes --project.',
    ],
    [
      [
        'keys',
        'revoke',
        '--project',
        'shop',
        '--id',
        '0b8e1c52-4c1f-4d3a-9f5e-2a7d6c3b1e90',
        '--scope',
        'read',
      ],
      '`keys revoke` has no option --scope; it takes --project and --id.',
    ],
    [
      ['prices', 'list', '--project', 'shop', '--model', 'm'],
      '`prices list` has no option --model; it takes --project.',
    ],
    [
      ['retention', 'set', '--project', 'shop', '--days', '5', '--dry-run'],
      '`retention set` has no option --dry-run; it takes --project and --days.',
    ],
    [
      ['keys', 'list', '--project', 'shop', 'extra'],
      '`keys list` takes no argument "extra"; it takes --project.',
    ],
  ])(
    'refuses %j, an option of another action, with exit code 2 naming the options it takes',
    async (argv, message) => {
      expect(await runCli(argv)).toBe(2)
      expect(output).toEqual([`Error: ${message}`])
      expect(await tablesInSchema()).toBe(0)
    },
  )

  it.each([
    [['seed', '--help']],
    [['migrate', '-h']],
    [['backfill', '--help']],
    [['recompute', '--help']],
    [['retention', '--help']],
    [['retention', 'set', '--help']],
    [['keys', '--help']],
    [['keys', 'create', '--help']],
    [['prices', '--help']],
    [['prices', 'list', '-h']],
    [['prices', 'set', '--project', 'shop', '--help']],
    [['serve', '--help']],
  ])('%j prints the usage of that command and exits with 0', async (argv) => {
    expect(await runCli(argv)).toBe(0)
    const topic = argv.filter((word) => !word.startsWith('-') && word !== 'shop').join(' ')
    expect(output).toEqual([expect.stringMatching(/^Usage:\n/)])
    const lines = output[0]!.split('\n').filter((line) => line.startsWith('  ai-cost-profiler '))
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) expect(line.startsWith(`  ai-cost-profiler ${topic}`)).toBe(true)
    expect(await tablesInSchema()).toBe(0)
  })

  it('takes --help, -h and --version alone before a command, and refuses any other option there', async () => {
    expect(await runCli(['--help'])).toBe(0)
    expect(await runCli(['-h'])).toBe(0)
    expect(output).toHaveLength(2)
    expect(output[0]).toMatch(/^Usage: ai-cost-profiler <command> \[options\]/)
    expect(output[1]).toBe(output[0])
    // The usage names the other ways in: a command's own usage, and the version.
    expect(output[0]).toMatch(
      /^ {2}help \[COMMAND\] +Show this text, or the usage of COMMAND \(also `COMMAND --help`\)$/m,
    )
    expect(output[0]).toMatch(/^ {2}--version +Print the version$/m)
    output.length = 0

    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
    expect(await runCli(['--version'])).toBe(0)
    expect(output).toEqual([version])
    output.length = 0

    for (const option of ['--dry-run', '-x']) {
      expect(await runCli([option, 'migrate'])).toBe(2)
      expect(output).toEqual([
        `Unknown option "${option}"; a command's options go after its name. Run \`npx ai-cost-profiler help\` for the commands and their options.`,
      ])
      output.length = 0
    }
    expect(await runCli(['nosuch'])).toBe(2)
    expect(output).toEqual([
      'Unknown command "nosuch". Run `npx ai-cost-profiler help` for the commands and their options.',
    ])
    output.length = 0
    expect(await tablesInSchema()).toBe(0)
  })

  it('stops a roll-back the down path refuses in one line, exit code 1, and rolls nothing back', async () => {
    expect(await runCli(['migrate'])).toBe(0)
    const db = await openPostgresDatabase({ connectionString: TEST_POSTGRES_URL, schema })
    try {
      const { project } = await ensureProject(db, 'huge')
      await db.query(
        `INSERT INTO daily_aggregate_days (project_id, day, status, source_fingerprint, source_requests,
           source_cost_usd, aggregate_requests, aggregate_cost_usd, run_id)
         VALUES ($1, '2025-01-01', 'verified', 'f', 1001, 1e12, 1001, 1e12, gen_random_uuid())`,
        [project.id],
      )
    } finally {
      await db.close()
    }
    output.length = 0
    expect(await runCli(['migrate', '--down'])).toBe(1)
    expect(output).toEqual([
      expect.stringMatching(
        /^Error: rolling back 0008_wide_cost_sums failed: Cannot roll back 0008_wide_cost_sums: [^\n]*Nothing was changed\.[^\n]*$/,
      ),
    ])
    output.length = 0
    // The dry run does not run the down file (it would take the real run's locks): it says its check is left.
    expect(await runCli(['migrate', '--down', '--to', '0007', '--dry-run'])).toBe(0)
    expect(output).toEqual([
      'Would roll back:\n  0011_price_override_tiers\n  0010_fast_service_tier\n  0009_usage_estimated\n  0008_wide_cost_sums\nStored data this would change, where there is any:\n  0011_price_override_tiers: the service-tier and long-context rates of price overrides, which then bill every call at their base prices (stored costs stay until a recompute)\n  0010_fast_service_tier: the `fast` tier of calls, which become `priority` (their stored costs stay; a later recompute prices Anthropic calls at standard rates, OpenAI calls at priority rates)\n  0009_usage_estimated: which calls had estimated usage (`usageEstimated`); their stored cost status stays, but a later recompute marks such calls `priced`\nNot checked by a dry run: the down file of 0008_wide_cost_sums checks the stored data when it runs and refuses, changing nothing, when the data no longer fits the older schema.',
    ])
    output.length = 0
    expect(await runCli(['migrate'])).toBe(0)
    expect(output).toEqual(['Database is up to date.'])
  })

  it('explains wrong usage with exit code 2', async () => {
    expect(await runCli(['keys', 'create', '--project', 'shop', '--scope', 'everything'])).toBe(2)
    expect(output.join('\n')).toMatch(/--scope takes a comma-separated list/)
    expect(await runCli(['frobnicate'])).toBe(2)
    expect(await runCli(['keys', 'create'])).toBe(2)
  })
})

describe('CLI help', () => {
  it('lists every option of prices set', async () => {
    const printed: string[] = []
    vi.spyOn(console, 'log').mockImplementation((text: string) => void printed.push(text))
    try {
      expect(await runCli(['help'])).toBe(0)
    } finally {
      vi.restoreAllMocks()
    }
    const usage = printed.join('\n')
    for (const option of Object.keys(PRICE_OPTIONS)) expect(usage).toMatch(new RegExp(`--${option} USD\\b`))
  })
})

for (const dialect of ['pglite', 'postgres'] as const) {
  describe(`CLI with --json [${dialect}]`, () => {
    let target: CliTestTarget
    let restoreEnv: () => void
    const stdout: string[] = []
    const stderr: string[] = []
    beforeEach(async () => {
      target = await openCliTestTarget(dialect, 'acp-cli-json-')
      restoreEnv = pointEnvironmentAt(target, 'info')
      stdout.length = 0
      stderr.length = 0
      vi.spyOn(console, 'log').mockImplementation((text: string) => void stdout.push(`${text}\n`))
      vi.spyOn(process.stdout, 'write').mockImplementation((text) => stdout.push(String(text)) > 0)
      vi.spyOn(process.stderr, 'write').mockImplementation((text) => stderr.push(String(text)) > 0)
    })
    afterEach(async () => {
      vi.restoreAllMocks()
      restoreEnv()
      await target.dispose()
    })

    it.each([
      ['recompute', '--from', '2025-01-01', '--to', '2025-01-02', '--json'],
      ['backfill', '--from', '2025-01-01', '--to', '2025-01-02', '--delay-ms', '0', '--json'],
    ])('%s prints exactly one JSON document on stdout, and its logs on stderr', async (...argv) => {
      expect(await runCli(argv)).toBe(0)
      expect(() => JSON.parse(stdout.join(''))).not.toThrow()
      expect(stdout.join('').trim().split('\n')).toHaveLength(1)
      if (argv[0] === 'recompute') expect(stderr.join('')).toContain('"msg":"job_started"')
    })
  })
}

for (const dialect of ['pglite', 'postgres'] as const) {
  describe(`read-only commands and dry runs [${dialect}]`, () => {
    let target: CliTestTarget
    let restoreEnv: () => void
    const stdout: string[] = []
    const stderr: string[] = []
    const day = utcDayOf(Date.now() - 3 * 86_400_000)
    const readOnly = [
      ['keys', 'list', '--project', 'shop'],
      ['prices', 'list', '--project', 'shop'],
      ['retention', '--dry-run'],
      ['recompute', '--from', day, '--to', day, '--dry-run'],
    ]
    beforeEach(async () => {
      target = await openCliTestTarget(dialect, 'acp-cli-read-only-')
      restoreEnv = pointEnvironmentAt(target, 'silent')
      stdout.length = 0
      stderr.length = 0
      vi.spyOn(console, 'log').mockImplementation((text: string) => void stdout.push(text))
      vi.spyOn(console, 'error').mockImplementation((text: string) => void stderr.push(text))
    })
    afterEach(async () => {
      vi.restoreAllMocks()
      restoreEnv()
      await target.dispose()
    })

    it('never migrate: on an older schema they say so in one line and change nothing; a write command migrates first', async () => {
      expect(await runCli(['migrate'])).toBe(0)
      expect(await runCli(['migrate', '--down', '--to', '0009'])).toBe(0)
      stdout.length = 0
      for (const argv of readOnly) {
        expect(await runCli(argv), argv.join(' ')).toBe(1)
        expect(stderr, argv.join(' ')).toEqual([
          'Error: The database schema is not current: 2 migrations not applied (0010_fast_service_tier, 0011_price_override_tiers). This command only reads; run `npx ai-cost-profiler migrate` to apply them.',
        ])
        stderr.length = 0
      }
      expect(stdout).toEqual([])
      expect(await runCli(['migrate', '--dry-run'])).toBe(0)
      expect(stdout.join('\n')).toMatch(
        /^Would apply 2 migration\(s\) in one transaction:\n\n-- 0010_fast_service_tier/,
      )
      stdout.length = 0
      expect(await runCli(['migrate', '--down', '--dry-run', '--to', '0007'])).toBe(0)
      expect(stdout).toEqual([
        `Would roll back:\n  0009_usage_estimated\n  0008_wide_cost_sums\nStored data this would change, where there is any:\n  0009_usage_estimated: which calls had estimated usage (\`usageEstimated\`); their stored cost status stays, but a later recompute marks such calls \`priced\`\nNot checked by a dry run: the down file of 0008_wide_cost_sums checks the stored data when it runs and refuses, changing nothing, when the data no longer fits the older schema.`,
      ])
      stdout.length = 0
      // The roll-back is still in place: a write command applies the pending migration, as `serve` does.
      expect(await runCli(['keys', 'create', '--project', 'shop'])).toBe(0)
      stdout.length = 0
      expect(await runCli(['migrate', '--dry-run'])).toBe(0)
      expect(stdout).toEqual(['Database is up to date; nothing would run.'])
      expect(await runCli(['keys', 'list', '--project', 'shop'])).toBe(0)
      expect(stderr).toEqual([])
    })

    if (dialect === 'pglite') {
      it('never create the embedded database; migrate --dry-run says everything would run', async () => {
        for (const argv of readOnly) {
          expect(await runCli(argv), argv.join(' ')).toBe(1)
          expect(stderr, argv.join(' ')).toEqual([
            `Error: There is no database yet: ACP_DATA_DIR (${target.dataDir}) holds none. This command only reads; run \`npx ai-cost-profiler migrate\` to create it.`,
          ])
          stderr.length = 0
        }
        expect(await runCli(['migrate', '--dry-run'])).toBe(0)
        expect(stdout.join('\n')).toMatch(
          /^There is no database yet: `migrate` would create it and apply 11 migration\(s\) in one transaction:\n\n-- 0001_initial/,
        )
        stdout.length = 0
        expect(await runCli(['migrate', '--down', '--dry-run'])).toBe(0)
        expect(await runCli(['migrate', '--down'])).toBe(0)
        expect(stdout).toEqual(['Nothing to roll back.', 'Nothing to roll back.'])
        expect(existsSync(target.dataDir!)).toBe(false)
      })
    }
  })
}
