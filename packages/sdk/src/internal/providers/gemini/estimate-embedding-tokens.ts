import { asFields } from '../read-fields.ts'

/** Google's rule of thumb: a Gemini token is about four characters of English text. */
const BYTES_PER_TOKEN = 4
// `contents` is a content list at most: a list of contents, each with a list of parts.
const MAX_DEPTH = 4

function textTokens(value: unknown, depth: number): number {
  if (typeof value === 'string') return Math.ceil(Buffer.byteLength(value, 'utf8') / BYTES_PER_TOKEN)
  if (depth >= MAX_DEPTH) return 0
  if (Array.isArray(value)) {
    let sum = 0
    for (const item of value) sum += textTokens(item, depth + 1)
    return sum
  }
  const fields = asFields(value)
  if (fields === undefined) return 0
  if (Array.isArray(fields.parts)) return textTokens(fields.parts, depth + 1)
  return typeof fields.text === 'string' ? textTokens(fields.text, depth) : 0
}

/**
 * The input tokens of an embedding request, estimated from its texts (a string, a part, a content
 * with parts, or a list of these; only text is billed) at one token per four bytes of UTF-8, each
 * text rounded up. The Gemini API's embedding answers carry no token counts, so this is the best
 * figure there is; the event says it is an estimate.
 */
export function estimateEmbeddingTokens(contents: unknown): number {
  return textTokens(contents, 0)
}
