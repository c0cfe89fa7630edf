import type { z } from 'zod'

function describeInput(input: unknown): string {
  if (input === null) return 'null'
  if (Array.isArray(input)) return 'a list'
  if (typeof input === 'string') return `the text "${input.length > 40 ? `${input.slice(0, 40)}…` : input}"`
  if (typeof input === 'object') return 'an object'
  return `${typeof input === 'number' ? 'the number' : typeof input} ${String(input)}`
}

const EXPECTED: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a text value',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'a list',
}

function unit(origin: unknown): string {
  if (origin === 'string') return ' characters'
  if (origin === 'array' || origin === 'set') return ' items'
  return ''
}

/**
 * A plain message for the issues whose default zod words read badly in an API answer ("Invalid input:
 * expected number, received undefined", "Too big: expected number to be <=8", "Unrecognized key"); pass
 * it as the parse's `error`. Messages a schema sets itself win over it.
 * @example schema.safeParse(body, { error: plainIssueMessage })
 */
export function plainIssueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required'
      return `must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${describeInput(issue.input)}`
    case 'too_big':
      return `must be at most ${String(issue.maximum)}${unit(issue.origin)}`
    case 'too_small':
      return `must be at least ${String(issue.minimum)}${unit(issue.origin)}`
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`
    case 'invalid_format':
      return issue.format === 'uuid'
        ? 'must be a UUID, such as 0b8e1c52-4c1f-4d3a-9f5e-2a7d6c3b1e90'
        : `must be a valid ${issue.format}`
    case 'unrecognized_keys':
      return `has unknown field(s) ${issue.keys.join(', ')}: remove ${issue.keys.length === 1 ? 'it' : 'them'}`
    default:
      return undefined
  }
}
