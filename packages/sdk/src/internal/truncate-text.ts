/**
 * `text` cut to at most `maxLength` UTF-16 code units, on a code-point boundary: a surrogate pair
 * (an emoji, say) at the cut is left out whole rather than split, since half a pair is not valid
 * Unicode and the server refuses an event that holds one.
 */
export function truncateText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text
  const last = text.charCodeAt(maxLength - 1)
  // A high surrogate as the last unit kept: its low half is beyond the cut.
  const end = last >= 0xd800 && last <= 0xdbff ? maxLength - 1 : maxLength
  return text.slice(0, end)
}
