import { describe, expect, it } from 'vitest'
import { CliError } from './cli-error.ts'
import { parseCommandOptions } from './command-options.ts'

const OPTIONS = {
  project: { type: 'string' },
  events: { type: 'string' },
  quiet: { type: 'boolean' },
} as const

describe('parseCommandOptions', () => {
  it.each([
    [['--events', '-5'], { events: '-5' }],
    [['--project', '-abc', '--quiet'], { project: '-abc', quiet: true }],
    [['--project=--odd', '--events=-1'], { project: '--odd', events: '-1' }],
    [['--project', 'shop', '--'], { project: 'shop' }],
  ])('hands %j to the checks of each option, a value that starts with a dash included', (args, values) => {
    expect(parseCommandOptions('seed', args, OPTIONS)).toEqual(values)
  })

  it.each([
    [
      ['--project', 'p1', '--project', 'p2'],
      '--project is given more than once; give it once (`seed --help` shows its usage).',
    ],
    [
      ['--quiet', '--quiet'],
      '--quiet is given more than once; give it once (`seed --help` shows its usage).',
    ],
    [['--events'], '--events needs a value (`seed --help` shows its usage).'],
    [['--project', '--events', '5'], '--project needs a value (`seed --help` shows its usage).'],
    [['--project', ''], '--project needs a value; got "".'],
    [['--events=  '], '--events needs a value; got "  ".'],
    [['--quiet=yes'], '--quiet takes no value; got "yes".'],
    [['--days', '5'], '`seed` has no option --days; it takes --project, --events and --quiet.'],
    [['--quiet', 'loud'], '`seed` takes no argument "loud"; it takes --project, --events and --quiet.'],
  ])('refuses %j in one line, with exit code 2', (args, message) => {
    const failure = (() => {
      try {
        return parseCommandOptions('seed', args, OPTIONS)
      } catch (error) {
        return error
      }
    })()
    expect(failure).toBeInstanceOf(CliError)
    expect(failure).toMatchObject({ message, exitCode: 2 })
  })
})
