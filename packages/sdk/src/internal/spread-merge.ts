/**
 * `{ ...first, ...second }`, built with `Object.assign`: the own enumerable string and symbol keys of
 * both, in the same order, `second` winning; neither object is changed.
 *
 * Why not the spread itself: on Node 20 (V8 11.3) a spread followed by keys the copy does not have yet
 * (`{ ...o, key: value }`, `{ ...a, ...b }`, `const copy = { ...o }; copy.key = value`) takes about
 * 1–3 µs, several times `Object.assign({}, o, { key: value })`. The per-call and per-chunk paths build
 * such copies with this function; a spread alone (`{ ...o }`) and a literal whose own keys come before
 * its spread (`{ status, ...o }`) are fast and are written as they are.
 *
 * Assignment and spreading differ for one input: an own `__proto__` key (e.g. from `JSON.parse`), which
 * a spread copies as a field but an assignment would turn into the copy's prototype. Such objects take
 * the spread, so the result is always the spread's.
 */
export function spreadMerge<First extends object, Second extends object>(
  first: First | null | undefined,
  second: Second | null | undefined,
): First & Second {
  // A spread alone is fast, and the same copy when the other side is absent.
  if (first === null || first === undefined) return { ...second } as First & Second
  if (second === null || second === undefined) return { ...first } as First & Second
  if (hasOwnProtoKey(first) || hasOwnProtoKey(second)) return { ...first, ...second } as First & Second
  return Object.assign({}, first, second) as First & Second
}

function hasOwnProtoKey(value: object): boolean {
  return Object.hasOwn(value, '__proto__')
}
