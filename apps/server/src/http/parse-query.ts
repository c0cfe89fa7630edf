import type { z } from 'zod'
import { ApiError } from './api-error.ts'

/** Validates query parameters with `schema`; a 400 lists every bad parameter. */
export function parseQuery<Schema extends z.ZodType>(
  schema: Schema,
  query: Record<string, string>,
): z.output<Schema> {
  const result = schema.safeParse(query)
  if (!result.success) {
    const details = result.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
    }))
    throw new ApiError(
      400,
      'INVALID_QUERY',
      `Invalid query parameter(s): ${details.map((detail) => `${detail.path || '(query)'} ${detail.message}`).join('; ')}.`,
      { details },
    )
  }
  return result.data
}
