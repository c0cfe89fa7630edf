import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type CliTestTarget, cliTestContext, openCliTestTarget } from '../testing/cli-test-target.ts'
import { CliError } from './cli-error.ts'
import { retentionCommand } from './retention-command.ts'
import { seedCommand } from './seed-command.ts'

for (const dialect of ['pglite', 'postgres'] as const) {
  describe(`seed command [${dialect}]`, () => {
    let target: CliTestTarget | undefined
    beforeAll(async () => {
      target = await openCliTestTarget(dialect, 'acp-seed-')
    })
    afterAll(async () => {
      await target?.dispose()
    })

    it('seeds the project, shows progress on stderr, and adds nothing on a re-run with the same seed value', async () => {
      const env = target!.env
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
      try {
        const first = cliTestContext(env)
        const args = ['--events', '1500', '--days', '3', '--project', 'cli-demo', '--seed-value', '9']
        expect(await seedCommand(args, first.context)).toBe(0)
        expect(first.printed.join('\n')).toMatch(
          /Seeded 1500 events over the last 3 days into project "cli-demo".*1500 new, 0 already present/,
        )
        expect(first.printed.join('\n')).toContain('--seed-value 9')
        expect(stderr.mock.calls.map(([text]) => String(text)).join('')).toContain('Seeded 1500/1500 events')

        stderr.mockClear()
        const random = cliTestContext(env)
        expect(
          await seedCommand(['--events', '5', '--days', '1', '--project', 'cli-random'], random.context),
        ).toBe(0)
        // Said before the first event is written, so an interrupted run can be resumed without duplicates.
        const [announced, ...progress] = stderr.mock.calls.map(([text]) => String(text))
        const seedValue =
          /^Seed value (\d+) \(random\): to resume an interrupted run without duplicates, run it again with --seed-value \1\.\n$/.exec(
            announced ?? '',
          )?.[1]
        expect(seedValue, announced).toBeDefined()
        expect(progress.join('')).toContain('Seeded 5/5 events')
        expect(random.text()).toContain(`Seed value ${seedValue}: run again with --seed-value ${seedValue}`)

        stderr.mockClear()
        const again = cliTestContext(env)
        expect(await seedCommand([...args, '--quiet'], again.context)).toBe(0)
        expect(again.printed.join('\n')).toContain('0 new, 1500 already present')
        expect(stderr).not.toHaveBeenCalled()
      } finally {
        stderr.mockRestore()
      }
    })

    it("leaves out, and says so, the events before the project's retention cut", async () => {
      const env = target!.env
      const run = async (command: typeof seedCommand, args: string[]) => {
        const { context, text } = cliTestContext(env)
        expect(await command(args, context)).toBe(0)
        return text()
      }
      await run(seedCommand, ['--events', '5', '--days', '1', '--project', 'cli-cut', '--quiet'])
      await run(retentionCommand, ['set', '--project', 'cli-cut', '--days', '1'])
      // Nothing to delete yet, but the cut moves to yesterday's midnight (UTC).
      await run(retentionCommand, ['--project', 'cli-cut'])
      const seeded = await run(seedCommand, [
        '--events',
        '300',
        '--days',
        '5',
        '--project',
        'cli-cut',
        '--quiet',
      ])
      expect(seeded).toMatch(
        /^\d+ event\(s\) stamped before the project's retention cut \(.+\) were left out/m,
      )
    })
  })
}

describe('seed command arguments', () => {
  const { context } = cliTestContext({ ACP_DATA_DIR: path.join(tmpdir(), 'acp-seed-never-opened') })

  it.each([
    [['--events', 'many'], '--events takes a whole number from 1 to 100000000; got "many".'],
    [['--events', '0'], '--events takes a whole number from 1 to 100000000; got "0".'],
    [['--days', '2.5'], '--days takes a whole number from 1 to 365; got "2.5".'],
    [['--seed-value=-1'], '--seed-value takes a whole number from 0 to 2147483647; got "-1".'],
    [
      ['--project', 'no spaces'],
      '--project must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit; got "no spaces".',
    ],
    [
      ['--project=-abc'],
      '--project must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit; got "-abc".',
    ],
    // A value that starts with a dash gets the same line as any other value out of range.
    [['--events', '-5'], '--events takes a whole number from 1 to 100000000; got "-5".'],
    [['--seed-value', '-1'], '--seed-value takes a whole number from 0 to 2147483647; got "-1".'],
    [
      ['--project', '-abc'],
      '--project must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit; got "-abc".',
    ],
    [
      ['--events', '5', '--events', '7'],
      '--events is given more than once; give it once (`seed --help` shows its usage).',
    ],
  ])('refuses %j with exit code 2 before opening the database', async (args, message) => {
    const failure = await seedCommand(args, context).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(CliError)
    expect(failure).toMatchObject({ message, exitCode: 2 })
  })
})
