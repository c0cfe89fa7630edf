import { replaceUnstorableText } from '@ai-cost-profiler/core'

/**
 * `text` as the server can store it: each NUL or lone surrogate replaced by U+FFFD, then cut to at most
 * `maxLength` characters (code points, as the server counts them: an emoji is one), so a surrogate
 * pair is never split.
 */
export function storableText(text: string, maxLength: number): string {
  // NUL and half a surrogate pair: PostgreSQL text cannot hold them, and the server refuses the event.
  const storable = replaceUnstorableText(text)
  // Never more code points than UTF-16 units: the common case counts nothing.
  if (storable.length <= maxLength) return storable
  let end = 0
  for (let kept = 0; kept < maxLength && end < storable.length; kept++) {
    const unit = storable.charCodeAt(end)
    // Only pairs are left by now: a high surrogate is always followed by its low half.
    end += unit >= 0xd800 && unit <= 0xdbff ? 2 : 1
  }
  return end >= storable.length ? storable : storable.slice(0, end)
}
