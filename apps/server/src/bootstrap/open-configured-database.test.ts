import { mkdtempSync, writeFileSync } from 'node:fs'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { runCli } from '../cli/main.ts'
import { EnvError, parseEnv } from '../env.ts'
import { TEST_POSTGRES_URL } from '../testing/test-databases.ts'
import { openConfiguredDatabase } from './open-configured-database.ts'

/** A port nothing listens on: taken from the system, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

function withDatabaseName(name: string, user?: string): string {
  const url = new URL(TEST_POSTGRES_URL)
  url.pathname = `/${name}`
  if (user !== undefined) url.username = user
  return url.toString()
}

/** A data folder path whose place a file already takes. */
function fileInPlace(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'acp-not-a-folder-')), 'data')
  writeFileSync(file, 'not a folder')
  return file
}

describe('openConfiguredDatabase', () => {
  it('says PostgreSQL cannot be reached, naming DATABASE_URL but never its password', async () => {
    const port = await closedPort()
    const refused = openConfiguredDatabase(
      parseEnv({ DATABASE_URL: `postgres://postgres:s3cret@127.0.0.1:${port}/x` }),
    )
    await expect(refused).rejects.toBeInstanceOf(EnvError)
    await expect(refused).rejects.toThrow(
      `Invalid configuration: DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:${port} (connection refused: nothing listens there); start PostgreSQL there, or set DATABASE_URL to a server that runs (unset, the embedded database in ACP_DATA_DIR is used). See docs/configuration.md.`,
    )
    await expect(refused).rejects.not.toThrow(/s3cret/)
  })

  it('says the database does not exist and how to create it', async () => {
    const url = withDatabaseName('acp_no_such_database')
    const { host } = new URL(url)
    await expect(openConfiguredDatabase(parseEnv({ DATABASE_URL: url }))).rejects.toThrow(
      `Invalid configuration: DATABASE_URL: PostgreSQL at ${host.includes(':') ? host : `${host}:5432`} has no database "acp_no_such_database"; create it (createdb acp_no_such_database) or correct the database name in DATABASE_URL. See docs/configuration.md.`,
    )
  })

  it('says the server refused the login', async () => {
    const url = withDatabaseName(new URL(TEST_POSTGRES_URL).pathname.slice(1), 'acp_no_such_role')
    await expect(openConfiguredDatabase(parseEnv({ DATABASE_URL: url }))).rejects.toThrow(
      /^Invalid configuration: DATABASE_URL: PostgreSQL at \S+ refused the login \(.*"acp_no_such_role".*\); correct the user and password in DATABASE_URL/,
    )
  })

  it('says ACP_DATA_DIR is a file, or lies under one', async () => {
    const file = fileInPlace()
    await expect(openConfiguredDatabase(parseEnv({ ACP_DATA_DIR: file }))).rejects.toThrow(
      `Invalid configuration: ACP_DATA_DIR: cannot keep the embedded database in ${file}: it is a file, not a folder; set ACP_DATA_DIR to a folder this user can write (it is created if missing), or set DATABASE_URL to use PostgreSQL. See docs/configuration.md.`,
    )
    await expect(
      openConfiguredDatabase(parseEnv({ ACP_DATA_DIR: path.join(file, 'below') })),
    ).rejects.toThrow(/^Invalid configuration: ACP_DATA_DIR: cannot keep .*: a part of its path is a file/)
  })
})

describe('every command with a database it cannot use', () => {
  const printed: string[] = []
  let restoreEnv: NodeJS.ProcessEnv
  beforeEach(() => {
    restoreEnv = { ...process.env }
    printed.length = 0
    process.env.LOG_LEVEL = 'silent'
    process.env.PORT = '0'
    vi.spyOn(console, 'log').mockImplementation((text: string) => void printed.push(text))
    vi.spyOn(console, 'error').mockImplementation((text: string) => void printed.push(text))
  })
  afterEach(() => {
    vi.restoreAllMocks()
    process.env = restoreEnv
  })

  const commands = [
    ['serve'],
    ['migrate'],
    ['keys', 'list', '--project', 'shop'],
    ['seed', '--events', '1', '--quiet'],
    ['backfill', '--from', '2025-01-01', '--to', '2025-01-01', '--quiet'],
    ['recompute', '--from', '2025-01-01', '--to', '2025-01-01'],
    ['retention', '--dry-run'],
    ['prices', 'list', '--project', 'shop'],
  ]

  it.each(commands)('%s stops with one line naming DATABASE_URL and exit code 1', async (...argv) => {
    delete process.env.ACP_DATA_DIR
    process.env.DATABASE_URL = `postgres://postgres@127.0.0.1:${await closedPort()}/x`
    expect(await runCli(argv)).toBe(1)
    expect(printed).toEqual([
      expect.stringMatching(
        /^Error: Invalid configuration: DATABASE_URL: cannot connect to PostgreSQL at [^\n]+$/,
      ),
    ])
  })

  it.each(commands)('%s stops with one line naming ACP_DATA_DIR and exit code 1', async (...argv) => {
    delete process.env.DATABASE_URL
    process.env.ACP_DATA_DIR = fileInPlace()
    expect(await runCli(argv)).toBe(1)
    expect(printed).toEqual([
      expect.stringMatching(/^Error: Invalid configuration: ACP_DATA_DIR: cannot keep [^\n]+$/),
    ])
  })
})
