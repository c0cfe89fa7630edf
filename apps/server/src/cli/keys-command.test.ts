import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliTestTarget, cliTestContext, openCliTestTarget } from '../testing/cli-test-target.ts'
import { closedPort } from '../testing/closed-port.ts'
import { CliError } from './cli-error.ts'
import { keysCommand } from './keys-command.ts'

/** Whether a command opened the target's database at all (it creates the data folder or the tables). */
async function opened(target: CliTestTarget): Promise<boolean> {
  if (target.dataDir) return existsSync(target.dataDir)
  const { rows } = await (target.postgres?.db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM information_schema.tables WHERE table_schema = $1',
    [target.postgres.schema],
  ) ?? { rows: [] })
  return (rows[0]?.count ?? 0) > 0
}

for (const dialect of ['pglite', 'postgres'] as const) {
  describe(`keys command [${dialect}]`, () => {
    let target: CliTestTarget | undefined
    beforeAll(async () => {
      target = await openCliTestTarget(dialect, 'acp-keys-')
    })
    afterAll(async () => {
      await target?.dispose()
    })

    it.each([
      [
        ['create', '--project', 'bad name!', '--scope', 'read'],
        '--project must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit; got "bad name!".',
      ],
      [
        ['list', '--project', '.hidden'],
        '--project must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit; got ".hidden".',
      ],
      [
        ['create', '--project', 'shop', '--name', 'n'.repeat(201)],
        '--name must be at most 200 characters; got 201.',
      ],
      [
        ['create', '--project', 'shop', '--name', 'two\nlines'],
        '--name must not contain control characters such as a newline or a tab, which would split `keys list` output; got "two\\nlines".',
      ],
      [
        ['create', '--project', 'shop', '--name', 'tab\there\u2028'],
        '--name must not contain control characters such as a newline or a tab, which would split `keys list` output; got "tab\\there\u2028".',
      ],
      [
        ['create', '--project', 'shop', '--scope', 'ingest,,read'],
        '--scope takes a comma-separated list of ingest, read, admin, without empty entries; got "ingest,,read".',
      ],
      [
        ['create', '--project', 'shop', '--scope', 'read,'],
        '--scope takes a comma-separated list of ingest, read, admin, without empty entries; got "read,".',
      ],
      [
        ['revoke', '--project', 'shop', '--id', 'k1'],
        '--id must be a key id as `keys list` shows it (a UUID such as 0b8e1c52-4c1f-4d3a-9f5e-2a7d6c3b1e90); got "k1".',
      ],
      [
        ['revoke', '--project', 'shop', `--id=${'-'.repeat(36)}`],
        `--id must be a key id as \`keys list\` shows it (a UUID such as 0b8e1c52-4c1f-4d3a-9f5e-2a7d6c3b1e90); got "${'-'.repeat(36)}".`,
      ],
    ])('refuses %j with exit code 2 before opening the database', async (args, message) => {
      const failure = await keysCommand(args, cliTestContext(target!.env).context).catch(
        (error: unknown) => error,
      )
      expect(failure).toBeInstanceOf(CliError)
      expect(failure).toMatchObject({ message, exitCode: 2 })
      expect(await opened(target!)).toBe(false)
    })

    it('revokes a key when Redis cannot be reached, and says running servers drop it within their cache time', async () => {
      const created = cliTestContext(target!.env)
      expect(await keysCommand(['create', '--project', 'redis-down'], created.context)).toBe(0)
      const id = /API key ([0-9a-f-]{36})/.exec(created.text())?.[1] ?? ''
      const port = await closedPort()
      const revoked = cliTestContext({ ...target!.env, REDIS_URL: `redis://127.0.0.1:${port}` })
      expect(await keysCommand(['revoke', '--project', 'redis-down', '--id', id], revoked.context)).toBe(0)
      expect(revoked.printed).toEqual([
        expect.stringMatching(
          new RegExp(
            `^Revoked ${id}, but running servers could not be told at once: cannot connect to Redis at 127\\.0\\.0\\.1:${port} \\([^)]+\\)\\. They stop accepting the key within 30 seconds, when their key cache expires\\.$`,
          ),
        ),
      ])
      const listed = cliTestContext(target!.env)
      expect(await keysCommand(['list', '--project', 'redis-down'], listed.context)).toBe(0)
      expect(listed.text()).toMatch(/ revoked /)
    })

    it('creates an ingest and read key when no --scope is given, as docs/cli.md says', async () => {
      const { context, printed } = cliTestContext(target!.env)
      expect(await keysCommand(['create', '--project', 'shop'], context)).toBe(0)
      expect(printed.join('\n')).toMatch(/API key [0-9a-f-]{36} \(ingest, read\) for project "shop"/)
    })

    it('keeps a repeated scope once, and a name of printable characters as given', async () => {
      const { context, printed } = cliTestContext(target!.env)
      expect(
        await keysCommand(
          ['create', '--project', 'folded', '--scope', 'read, read,admin', '--name', 'CI — nightly'],
          context,
        ),
      ).toBe(0)
      expect(printed.join('\n')).toMatch(/API key [0-9a-f-]{36} \(read, admin\) for project "folded"/)
      const listed = cliTestContext(target!.env)
      expect(await keysCommand(['list', '--project', 'folded'], listed.context)).toBe(0)
      expect(listed.printed).toEqual([
        expect.stringMatching(/ {2}read,admin {2}created \S+ {2}CI — nightly$/),
      ])
    })

    it('lists a key by acp_ and 4 of its random characters, no more of the secret', async () => {
      const created = cliTestContext(target!.env)
      expect(await keysCommand(['create', '--project', 'prefixes'], created.context)).toBe(0)
      const key = /^(acp_\S+)$/m.exec(created.text())?.[1] ?? ''
      expect(key).toHaveLength(47)
      const listed = cliTestContext(target!.env)
      expect(await keysCommand(['list', '--project', 'prefixes'], listed.context)).toBe(0)
      expect(listed.text()).toMatch(new RegExp(`^[0-9a-f-]{36}  ${key.slice(0, 8)}…  ingest,read  created `))
      expect(listed.text()).not.toContain(key.slice(0, 9))
    })
  })
}
