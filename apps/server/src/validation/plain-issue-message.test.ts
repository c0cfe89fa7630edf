import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { plainIssueMessage } from './plain-issue-message.ts'

const messages = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value, { error: plainIssueMessage })
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`)
}

describe('plainIssueMessage', () => {
  const body = z.strictObject({
    version: z.int().min(1),
    concurrency: z.int().min(1).max(8).optional(),
    name: z.string().max(5).optional(),
    dryRun: z.boolean().optional(),
  })

  it('says what is missing, what type is wanted and which bound is passed, in plain words', () => {
    expect(messages(body, {})).toEqual(['version is required'])
    expect(messages(body, { version: 1.5, concurrency: 9, name: 'abcdefgh', dryRun: 'yes' })).toEqual([
      'version must be a whole number, not the number 1.5',
      'concurrency must be at most 8',
      'name must be at most 5 characters',
      'dryRun must be true or false, not the text "yes"',
    ])
    expect(messages(body, { version: 0 })).toEqual(['version must be at least 1'])
  })

  it('names unknown fields, and leaves the messages a schema sets itself', () => {
    expect(messages(body, { version: 1, verison: 2 })).toEqual([' has unknown field(s) verison: remove it'])
    expect(messages(z.string().min(3, 'must be three letters or more'), 'ab')).toEqual([
      ' must be three letters or more',
    ])
  })

  it('lists the values an option takes, and says what a UUID looks like', () => {
    const query = z.strictObject({
      status: z.enum(['success', 'error']).optional(),
      projectId: z.uuid().optional(),
    })
    expect(messages(query, { status: 'bogus', projectId: 'nope' })).toEqual([
      'status must be one of "success", "error"',
      'projectId must be a UUID, such as 0b8e1c52-4c1f-4d3a-9f5e-2a7d6c3b1e90',
    ])
  })
})
