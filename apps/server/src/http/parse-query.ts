import type { z } from 'zod'
import { plainIssueMessage } from '../validation/plain-issue-message.ts'
import { ApiError } from './api-error.ts'

/**
 * Validates `value` with `schema`; a 400 with `code` lists every problem, each at its path (`root`
 * names a problem of the whole value), after `heading`.
 */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  error: { code: string; heading: string; root: string },
): z.output<Schema> {
  const result = schema.safeParse(value, { error: plainIssueMessage })
  if (!result.success) {
    const details = result.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
    }))
    throw new ApiError(
      400,
      error.code,
      `${error.heading}: ${details.map((detail) => `${detail.path || error.root} ${detail.message}`).join('; ')}.`,
      { details },
    )
  }
  return result.data
}

/**
 * Validates query parameters (each name with every value it was given, as Hono's `c.req.queries()`)
 * with `schema`; a 400 lists every bad parameter. A parameter given twice is refused, not read as its
 * first value: `feature=a&feature=b` does not mean "a or b".
 */
export function parseQuery<Schema extends z.ZodType>(
  schema: Schema,
  queries: Record<string, string[]>,
): z.output<Schema> {
  const repeated = Object.keys(queries).filter((name) => (queries[name]?.length ?? 0) > 1)
  if (repeated.length > 0) {
    throw invalidQuery(
      repeated.join(', '),
      `${repeated.length > 1 ? 'are' : 'is'} given more than once; give each once`,
    )
  }
  const query = Object.fromEntries(Object.entries(queries).map(([name, values]) => [name, values[0] ?? '']))
  return parseInput(schema, query, {
    code: 'INVALID_QUERY',
    heading: 'Invalid query parameter(s)',
    root: '(query)',
  })
}

/** The 400 `parseQuery` gives, for a problem found after parsing (e.g. with defaults filled in). */
export function invalidQuery(path: string, message: string): ApiError {
  return new ApiError(400, 'INVALID_QUERY', `Invalid query parameter(s): ${path} ${message}.`, {
    details: [{ path, message }],
  })
}
