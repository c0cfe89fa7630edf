// NUL, and a UTF-16 surrogate without its other half: PostgreSQL text cannot hold either, and the
// server refuses an event that carries one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point of this pattern.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * `text` as the server can store it: each NUL or lone surrogate replaced by U+FFFD, then cut to at most
 * `maxLength` UTF-16 code units on a code-point boundary, so a surrogate pair (an emoji, say) at the
 * cut is left out whole rather than split.
 */
export function storableText(text: string, maxLength: number): string {
  const storable = text.replace(UNSTORABLE, '\ufffd')
  if (storable.length <= maxLength) return storable
  const last = storable.charCodeAt(maxLength - 1)
  // A high surrogate as the last unit kept: its low half is beyond the cut.
  const end = last >= 0xd800 && last <= 0xdbff ? maxLength - 1 : maxLength
  return storable.slice(0, end)
}
