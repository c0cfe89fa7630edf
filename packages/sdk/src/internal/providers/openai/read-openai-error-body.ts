import type { CallError } from '@ai-cost-profiler/core'
import { classifyError } from '../../classify-error.ts'
import { asFields, readString } from '../read-fields.ts'

/**
 * The error an OpenAI body carries in its `error` field, classified: a failed Responses API response,
 * or an error body answered with a 200 (`{"error": {"message", "type", "code"}}`, by OpenAI or a
 * compatible gateway, some of which put the HTTP status in `code`). Undefined when there is none.
 */
export function readOpenAiErrorBody(body: unknown): CallError | undefined {
  const error = asFields(asFields(body)?.error)
  if (!error) return undefined
  return classifyError({
    status: typeof error.code === 'number' ? error.code : undefined,
    code: readString(error.code),
    type: readString(error.type),
    message: readString(error.message) ?? 'response failed',
  })
}
