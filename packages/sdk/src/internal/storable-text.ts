import { replaceUnstorableText } from '@ai-cost-profiler/core'

/**
 * `text` as the server can store it: each NUL or lone surrogate replaced by U+FFFD, then cut to at most
 * `maxLength` UTF-16 code units on a code-point boundary, so a surrogate pair (an emoji, say) at the
 * cut is left out whole rather than split.
 */
export function storableText(text: string, maxLength: number): string {
  // NUL and half a surrogate pair: PostgreSQL text cannot hold them, and the server refuses the event.
  const storable = replaceUnstorableText(text)
  if (storable.length <= maxLength) return storable
  const last = storable.charCodeAt(maxLength - 1)
  // A high surrogate as the last unit kept: its low half is beyond the cut.
  const end = last >= 0xd800 && last <= 0xdbff ? maxLength - 1 : maxLength
  return storable.slice(0, end)
}
