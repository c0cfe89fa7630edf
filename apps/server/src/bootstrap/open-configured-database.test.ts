import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { runCli } from '../cli/main.ts'
import { EnvError, parseEnv } from '../env.ts'
import { closedPort } from '../testing/closed-port.ts'
import { TEST_POSTGRES_URL } from '../testing/test-databases.ts'
import { openConfiguredDatabase, openExistingConfiguredDatabase } from './open-configured-database.ts'

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

/**
 * A server that answers PostgreSQL's SSL request with "N", as a server without SSL does, and the
 * closing function.
 */
async function serverWithoutSsl(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer((socket) => {
    socket.once('data', () => socket.write('N'))
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
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

  it('says the server takes no SSL connections while DATABASE_URL asks for SSL', async () => {
    const server = await serverWithoutSsl()
    try {
      const url = `postgres://postgres:s3cret@127.0.0.1:${server.port}/acp?sslmode=require`
      const refused = openConfiguredDatabase(parseEnv({ DATABASE_URL: url }))
      await expect(refused).rejects.toThrow(
        `Invalid configuration: DATABASE_URL: PostgreSQL at 127.0.0.1:${server.port} does not accept SSL connections, and DATABASE_URL asks for SSL (sslmode or ssl in its query); remove that parameter (or set sslmode=disable), or enable SSL on the server. See docs/configuration.md.`,
      )
      await expect(refused).rejects.not.toThrow(/s3cret/)
    } finally {
      await server.close()
    }
  })

  it('says ACP_DATA_DIR is a broken link, or under a folder that does not exist', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'acp-broken-link-'))
    const link = path.join(parent, 'data')
    symlinkSync(path.join(parent, 'gone', 'data'), link)
    try {
      await expect(openConfiguredDatabase(parseEnv({ ACP_DATA_DIR: link }))).rejects.toThrow(
        `Invalid configuration: ACP_DATA_DIR: cannot keep the embedded database in ${link}: a part of its path does not exist, or is a broken link; set ACP_DATA_DIR to a folder this user can write (it is created if missing), or set DATABASE_URL to use PostgreSQL. See docs/configuration.md.`,
      )
      await expect(
        openConfiguredDatabase(parseEnv({ ACP_DATA_DIR: path.join(link, 'below') })),
      ).rejects.toThrow(
        /^Invalid configuration: ACP_DATA_DIR: cannot keep .*: a part of its path does not exist/,
      )
    } finally {
      rmSync(parent, { recursive: true, force: true })
    }
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

describe('openExistingConfiguredDatabase', () => {
  it('creates no embedded database: none is opened from a missing or empty folder', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'acp-existing-'))
    try {
      const missing = path.join(parent, 'missing', 'data')
      expect(await openExistingConfiguredDatabase(parseEnv({ ACP_DATA_DIR: missing }))).toBeUndefined()
      expect(existsSync(path.join(parent, 'missing'))).toBe(false)
      const empty = path.join(parent, 'empty')
      mkdirSync(empty)
      expect(await openExistingConfiguredDatabase(parseEnv({ ACP_DATA_DIR: empty }))).toBeUndefined()
      expect(existsSync(path.join(empty, 'pgdata'))).toBe(false)
    } finally {
      rmSync(parent, { recursive: true, force: true })
    }
  })

  it('says why a data folder cannot hold a database, as opening does', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'acp-existing-'))
    try {
      const link = path.join(parent, 'data')
      symlinkSync(path.join(parent, 'gone', 'data'), link)
      await expect(openExistingConfiguredDatabase(parseEnv({ ACP_DATA_DIR: link }))).rejects.toThrow(
        /^Invalid configuration: ACP_DATA_DIR: cannot keep .*: a part of its path does not exist, or is a broken link/,
      )
      const file = path.join(parent, 'file')
      writeFileSync(file, 'not a folder')
      await expect(openExistingConfiguredDatabase(parseEnv({ ACP_DATA_DIR: file }))).rejects.toThrow(
        /^Invalid configuration: ACP_DATA_DIR: cannot keep .*: it is a file, not a folder/,
      )
    } finally {
      rmSync(parent, { recursive: true, force: true })
    }
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
