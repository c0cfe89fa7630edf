import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { openPostgresDatabase } from '../storage/postgres-database.ts'
import { type CliTestTarget, openCliTestTarget } from '../testing/cli-test-target.ts'
import { TEST_POSTGRES_URL } from '../testing/test-databases.ts'
import { runCli } from './main.ts'
import { PRICE_OPTIONS } from './prices-command.ts'

// The CLI reads the environment like the server does; each test points it at a schema of its own.
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

  it('keys with an unknown action says which exist, before opening the database', async () => {
    expect(await runCli(['keys', 'rotate', '--project', 'shop'])).toBe(2)
    expect(await runCli(['keys'])).toBe(2)
    expect(output).toEqual([
      'Error: Unknown keys action "rotate"; use create, list or revoke.',
      'Error: Unknown keys action ""; use create, list or revoke.',
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
    expect(output.join('\n')).toContain(key!.slice(0, 12))
    expect(output.join('\n')).not.toContain(key!)
    expect(await runCli(['keys', 'revoke', '--project', 'shop', '--id', id!])).toBe(0)
    expect(await runCli(['keys', 'revoke', '--project', 'shop', '--id', id!])).toBe(1)
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
    let restoreEnv: NodeJS.ProcessEnv
    const stdout: string[] = []
    const stderr: string[] = []
    beforeEach(async () => {
      target = await openCliTestTarget(dialect, 'acp-cli-json-')
      restoreEnv = { ...process.env }
      delete process.env.DATABASE_URL
      delete process.env.ACP_DATA_DIR
      Object.assign(process.env, target.env, { LOG_LEVEL: 'info' })
      stdout.length = 0
      stderr.length = 0
      vi.spyOn(console, 'log').mockImplementation((text: string) => void stdout.push(`${text}\n`))
      vi.spyOn(process.stdout, 'write').mockImplementation((text) => stdout.push(String(text)) > 0)
      vi.spyOn(process.stderr, 'write').mockImplementation((text) => stderr.push(String(text)) > 0)
    })
    afterEach(async () => {
      vi.restoreAllMocks()
      process.env = restoreEnv
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
