import { findSubclassMembers } from './find-subclass-members.ts'
import type { AnyFunction, ProxyShape } from './proxy-shape.ts'

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function'
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return isObject(value) && typeof (value as { then?: unknown }).then === 'function'
}

/**
 * Wraps `target` in a proxy following `shape`. Proxies are cached per real object in `cache`, so a
 * property read twice returns the same wrapped object and wrapped methods keep their identity.
 * `onProxy` hears of every proxy made, this one and those of the objects it hands out.
 */
export function createClientProxy<T extends object>(
  target: T,
  shape: ProxyShape,
  cache: WeakMap<object, object>,
  onProxy?: (real: object, proxy: object) => void,
): T {
  const cached = cache.get(target)
  if (cached) return cached as T
  const { bindToTarget } = shape
  // The properties the shape names (its own keys only): every other one is passed through at once.
  const named = new Set<string>()
  for (const record of [shape.aliases, shape.intercept, shape.children, shape.wrapResults]) {
    if (record) for (const property of Object.keys(record)) named.add(property)
  }
  const methodCache = new Map<PropertyKey, { original: unknown; replacement: AnyFunction }>()
  // Found once per proxy: usually none, and then the lookup below is skipped.
  const found = bindToTarget ? findSubclassMembers(target) : undefined
  const subclassMembers = found && found.size > 0 ? found : undefined

  /** The replacement made earlier for this very method, if any (read on every call, so no callback is allocated). */
  const remembered = (property: PropertyKey, original: unknown): AnyFunction | undefined => {
    const entry = methodCache.get(property)
    return entry && entry.original === original ? entry.replacement : undefined
  }
  const remember = (property: PropertyKey, original: unknown, make: () => AnyFunction): AnyFunction => {
    const replacement = make()
    methodCache.set(property, { original, replacement })
    return replacement
  }

  /** What the proxy returns for `property` instead of the real `value`, or `value` itself when it is passed through. */
  const replacementFor = (real: T, property: string, value: unknown, receiver: unknown): unknown => {
    if (!named.has(property)) {
      if (!bindToTarget || typeof value !== 'function') return value
      return remembered(property, value) ?? remember(property, value, () => (value as AnyFunction).bind(real))
    }
    const alias = shape.aliases?.[property]
    if (alias) return alias()
    const interceptor = shape.intercept?.[property]
    if (interceptor && typeof value === 'function') {
      return (
        remembered(property, value) ??
        remember(property, value, () => interceptor(value as AnyFunction, real))
      )
    }
    const childShape = shape.children?.[property]
    if (childShape && isObject(value)) {
      // Looked up before the shape is built: resources are read on every call (`client.chat.completions`).
      return cache.get(value) ?? createClientProxy(value, childShape(), cache, onProxy)
    }
    const resultShape = shape.wrapResults?.[property]
    if (resultShape && typeof value === 'function') {
      return (
        remembered(property, value) ??
        remember(property, value, () => {
          const method = value as AnyFunction
          return function wrapResult(this: unknown, ...args: unknown[]) {
            const result = method.apply(shape.bindToTarget || this === receiver ? real : this, args)
            const wrapOne = (item: unknown) =>
              isObject(item) ? createClientProxy(item, resultShape(), cache, onProxy) : item
            return isThenable(result) ? Promise.resolve(result).then(wrapOne) : wrapOne(result)
          }
        })
      )
    }
    if (bindToTarget && typeof value === 'function') {
      return remembered(property, value) ?? remember(property, value, () => (value as AnyFunction).bind(real))
    }
    return value
  }

  // What the last read of each replaced property returned, for as long as the real value is the same:
  // a call reads several (`client.chat.completions.create`, then the SDK's own `this._client.post`),
  // and working the answer out again, descriptor check included, was most of the proxy's cost.
  const answered = new Map<string, { value: unknown; returned: unknown }>()

  const proxy = new Proxy(target, {
    get(real, property, receiver) {
      // A member a user's subclass adds runs with the proxy as `this` (see findSubclassMembers).
      const onProxy =
        subclassMembers !== undefined &&
        typeof property === 'string' &&
        subclassMembers.has(property) &&
        !Object.hasOwn(real, property)
      const value = Reflect.get(real, property, bindToTarget && !onProxy ? real : receiver)
      // The class itself, never a bound copy of it: its name, identity and static members stay.
      if (typeof property !== 'string' || onProxy || property === 'constructor') return value
      // Not once the target is frozen or sealed: a non-configurable, read-only property must then read
      // as its real value, which only the full check below gives.
      const earlier = answered.get(property)
      if (earlier !== undefined && earlier.value === value && Object.isExtensible(real))
        return earlier.returned
      const replacement = replacementFor(real, property, value, receiver)
      if (replacement === value) return value
      // A proxy must return the real value of a non-configurable, read-only property.
      const descriptor = Object.getOwnPropertyDescriptor(real, property)
      const returned =
        descriptor && !descriptor.configurable && descriptor.writable === false ? value : replacement
      answered.set(property, { value, returned })
      return returned
    },
  })
  cache.set(target, proxy)
  onProxy?.(target, proxy)
  return proxy
}
