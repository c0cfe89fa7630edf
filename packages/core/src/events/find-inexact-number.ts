/**
 * The path of the first number in `value` (parsed JSON) that cannot be what the client wrote: one that
 * overflowed to Infinity (`1e400`), or an integer past 2^53, where doubles skip integers and
 * `12345678901234567891` arrives as `12345678901234567000`. The path is dotted (`items.2.id`); undefined
 * when there is none. Call it on values whose depth is bounded (it recurses once per level).
 */
export function findInexactNumber(value: unknown, path = ''): string | undefined {
  if (typeof value === 'number') {
    return !Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))
      ? path
      : undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findInexactNumber(value[index], path === '' ? String(index) : `${path}.${index}`)
      if (found !== undefined) return found
    }
    return undefined
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    const found = findInexactNumber(
      (value as Record<string, unknown>)[key],
      path === '' ? key : `${path}.${key}`,
    )
    if (found !== undefined) return found
  }
  return undefined
}
