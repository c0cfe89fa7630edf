import { spawn } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { runCli } from '../cli/main.ts'
import { EnvError, parseEnv } from '../env.ts'
import { migrateUp } from '../storage/migrator.ts'
import { openPgliteDatabase } from '../storage/pglite-database.ts'
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

const BIN = fileURLToPath(new URL('../../bin/ai-cost-profiler.js', import.meta.url))

// Root may write any file whatever its mode: without these capabilities it meets the modes as
// another user does, while it can still read this repository wherever it was cloned.
const WITHOUT_FILE_OVERRIDES = ['--bounding-set=-dac_override,-dac_read_search,-fowner', '--']

/**
 * Runs the CLI as a process of its own, as a user does; `asRootWithoutOverrides` runs it as root
 * without the capabilities that let root write files it may not (with util-linux's `setpriv`).
 */
function runProcess(
  argv: string[],
  options: { env: Record<string, string>; asRootWithoutOverrides?: boolean },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env }
  for (const name of Object.keys(env))
    if (name === 'DATABASE_URL' || name.startsWith('ACP_')) delete env[name]
  delete env.REDIS_URL
  const command = [process.execPath, BIN, ...argv]
  const [file, ...args] = options.asRootWithoutOverrides
    ? ['setpriv', ...WITHOUT_FILE_OVERRIDES, ...command]
    : command
  const child = spawn(file!, args, {
    env: { ...env, LOG_LEVEL: 'info', PORT: '0', ACP_JOBS_ENABLED: 'false', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk)
  })
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk)
  })
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })))
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

  it("says so in one line, without the PostgreSQL client's warning about sslmode=require", async () => {
    const server = await serverWithoutSsl()
    try {
      const url = `postgres://postgres@127.0.0.1:${server.port}/acp?sslmode=require`
      const { code, stdout, stderr } = await runProcess(['keys', 'list', '--project', 'x'], {
        env: { DATABASE_URL: url },
      })
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' })
      // The client still asked for SSL: the server's "no" is what the line is about.
      expect(stderr).toMatch(
        /^Error: Invalid configuration: DATABASE_URL: PostgreSQL at 127\.0\.0\.1:\d+ does not accept SSL connections, [^\n]+\n$/,
      )
    } finally {
      await server.close()
    }
  }, 60_000)

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
      // What a first start stopped before PGlite made its database there leaves: no PG_VERSION.
      const interrupted = path.join(parent, 'interrupted')
      mkdirSync(path.join(interrupted, 'pgdata', 'global'), { recursive: true })
      expect(await openExistingConfiguredDatabase(parseEnv({ ACP_DATA_DIR: interrupted }))).toBeUndefined()
      expect(readdirSync(path.join(interrupted, 'pgdata'))).toEqual(['global'])
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
      // Below the broken link, too: the folder cannot be created there, so there will be no database.
      for (const below of [path.join(link, 'below'), path.join(link, 'below', 'deeper')]) {
        await expect(openExistingConfiguredDatabase(parseEnv({ ACP_DATA_DIR: below }))).rejects.toThrow(
          `Invalid configuration: ACP_DATA_DIR: cannot keep the embedded database in ${below}: a part of its path does not exist, or is a broken link;`,
        )
      }
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

  it.each([...commands, ['migrate', '--dry-run']])(
    '%s stops with one line and exit code 1 for a folder under a broken link, which it cannot create',
    async (...argv) => {
      delete process.env.DATABASE_URL
      const parent = mkdtempSync(path.join(tmpdir(), 'acp-below-broken-link-'))
      try {
        symlinkSync(path.join(parent, 'gone'), path.join(parent, 'link'))
        process.env.ACP_DATA_DIR = path.join(parent, 'link', 'data')
        expect(await runCli(argv)).toBe(1)
        expect(printed).toEqual([
          expect.stringMatching(
            /^Error: Invalid configuration: ACP_DATA_DIR: cannot keep [^\n]+: a part of its path does not exist, or is a broken link; [^\n]+$/,
          ),
        ])
      } finally {
        rmSync(parent, { recursive: true, force: true })
      }
    },
  )

  it('a command that only reads creates no database in an empty pgdata folder', async () => {
    delete process.env.DATABASE_URL
    const parent = mkdtempSync(path.join(tmpdir(), 'acp-empty-pgdata-'))
    try {
      mkdirSync(path.join(parent, 'pgdata'))
      process.env.ACP_DATA_DIR = parent
      expect(await runCli(['keys', 'list', '--project', 'shop'])).toBe(1)
      expect(printed).toEqual([
        `Error: There is no database yet: ACP_DATA_DIR (${parent}) holds none. This command only reads; run \`npx ai-cost-profiler migrate\` to create it.`,
      ])
      expect(readdirSync(path.join(parent, 'pgdata'))).toEqual([])
    } finally {
      rmSync(parent, { recursive: true, force: true })
    }
  })

  it('seed stops with one line, claiming nothing, when the disk fills up under it', async () => {
    delete process.env.DATABASE_URL
    const parent = mkdtempSync(path.join(tmpdir(), 'acp-disk-full-'))
    const dataDir = path.join(parent, 'data')
    try {
      // Every stored call meets what PostgreSQL raises when a table cannot grow on a full disk.
      const db = await openPgliteDatabase({ dataDir })
      await migrateUp(db)
      await db.exec(`CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
          RAISE EXCEPTION USING ERRCODE = 'disk_full', HINT = 'Check free disk space.',
            MESSAGE = 'could not extend file "base/5/16474": No space left on device';
        END $$;
        CREATE TRIGGER full_disk BEFORE INSERT ON llm_calls FOR EACH ROW EXECUTE FUNCTION full_disk();`)
      await db.close()
      process.env.ACP_DATA_DIR = dataDir
      expect(await runCli(['seed', '--events', '20', '--seed-value', '7', '--quiet'])).toBe(1)
      expect(printed).toEqual([
        `Error: No space left on the disk that holds the embedded database in ${dataDir} (could not extend file "base/5/16474": No space left on device); free space on that disk, or set ACP_DATA_DIR to a folder on a disk with room`,
      ])
    } finally {
      rmSync(parent, { recursive: true, force: true })
    }
  })
})

describe('a data folder whose pgdata this user cannot write', () => {
  const runningAsRoot = process.getuid?.() === 0
  // Root writes whatever the modes say: the commands run as root without that power (see
  // runProcess), for whom a folder that `nobody` owns is as unwritable as a read-only one is for its owner.
  const NOBODY = 65_534
  let parent: string
  let dataDir: string
  beforeAll(async () => {
    parent = mkdtempSync(path.join(tmpdir(), 'acp-unwritable-'))
    dataDir = path.join(parent, 'data')
    await (await openPgliteDatabase({ dataDir })).close()
    const pgliteFiles = path.join(dataDir, 'pgdata')
    if (runningAsRoot) {
      // The data folder itself stays writable (its lock file goes there), as the reviewer had it.
      chownSync(pgliteFiles, NOBODY, NOBODY)
      chmodSync(pgliteFiles, 0o755)
    } else {
      for (const entry of readdirSync(pgliteFiles, { recursive: true })) {
        chmodSync(path.join(pgliteFiles, String(entry)), 0o555)
      }
      chmodSync(pgliteFiles, 0o555)
    }
  })
  afterAll(() => {
    if (!runningAsRoot) {
      const pgliteFiles = path.join(dataDir, 'pgdata')
      chmodSync(pgliteFiles, 0o755)
      for (const entry of readdirSync(pgliteFiles, { recursive: true })) {
        chmodSync(path.join(pgliteFiles, String(entry)), 0o755)
      }
    }
    rmSync(parent, { recursive: true, force: true })
  })

  it.each([[['keys', 'list', '--project', 'demo']], [['seed', '--events', '1', '--quiet']], [['serve']]])(
    '%j stops with one line saying so, and exit code 1',
    async (argv) => {
      const { code, stderr } = await runProcess(argv, {
        env: { ACP_DATA_DIR: dataDir },
        asRootWithoutOverrides: runningAsRoot,
      })
      expect(code).toBe(1)
      expect(stderr).toBe(
        `Error: Invalid configuration: ACP_DATA_DIR: cannot keep the embedded database in ${dataDir}: its files cannot be written (PGlite cannot write its files: EACCES: permission denied, access '${path.join(dataDir, 'pgdata')}'); let this user write ${dataDir} and everything in it, or set ACP_DATA_DIR to a folder this user can write (it is created if missing), or set DATABASE_URL to use PostgreSQL. See docs/configuration.md.\n`,
      )
    },
    60_000,
  )
})
