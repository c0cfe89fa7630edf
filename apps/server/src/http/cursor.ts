import type { LlmCallCursor } from '../storage/repositories/llm-calls-repository.ts'
import { ApiError } from './api-error.ts'
import { supportedIsoTime } from './query-schemas.ts'

const cursorTime = supportedIsoTime()
// Row ids are PostgreSQL bigints: a larger number cannot be compared with them.
const MAX_ID = 9_223_372_036_854_775_807n

/** Encodes a list position as an opaque base64url token. */
export function encodeCursor(cursor: LlmCallCursor): string {
  return Buffer.from(JSON.stringify([cursor.timestamp, cursor.id])).toString('base64url')
}

/** Decodes a token from `encodeCursor`; anything else is a 400 INVALID_CURSOR. */
export function decodeCursor(token: string): LlmCallCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
    const pair: unknown[] = Array.isArray(value) && value.length === 2 ? value : []
    const time = cursorTime.safeParse(pair[0])
    const id = pair[1]
    if (time.success && typeof id === 'string' && /^\d{1,19}$/.test(id) && BigInt(id) <= MAX_ID) {
      return { timestamp: time.data, id }
    }
  } catch {
    // fall through to the error below
  }
  throw new ApiError(
    400,
    'INVALID_CURSOR',
    'The cursor is not one this server issued. Pass nextCursor from the previous page as it is.',
  )
}
