// Private state in a class's source: `#name`, or the helpers TypeScript and Babel compile it to.
const PRIVATE_STATE = /#[\p{ID_Start}$_\\]|classPrivate|assertClassBrand/u

/** True when the class of `prototype` keeps private state, or when that cannot be told. */
function keepsPrivateState(prototype: object): boolean {
  const classFunction: unknown = Object.getOwnPropertyDescriptor(prototype, 'constructor')?.value
  if (typeof classFunction !== 'function') return true
  try {
    return PRIVATE_STATE.test(Function.prototype.toString.call(classFunction))
  } catch {
    return true
  }
}

const NONE: ReadonlySet<string> = new Set()

/**
 * The members (methods and accessors) that a user's subclass of a provider client adds, such as
 * `answer` in `class Bot extends OpenAI { answer(q) { return this.chat.completions.create(…) } }`.
 * They run with the proxy as `this`, so the calls they make through it are recorded; the SDK classes'
 * own members stay bound to the real client, whose `#private` fields throw when `this` is a proxy.
 *
 * The topmost class of the prototype chain is the provider's. Below it, a member counts when it is new
 * (one that overrides a member above, as `AzureOpenAI` overrides `OpenAI`'s, may reach the private
 * code above with `super`) and its class keeps no private state of its own, which a proxy would break.
 */
export function findSubclassMembers(target: object): ReadonlySet<string> {
  const chain: object[] = []
  for (
    let prototype = Object.getPrototypeOf(target) as object | null;
    prototype && prototype !== Object.prototype;
    prototype = Object.getPrototypeOf(prototype) as object | null
  ) {
    chain.push(prototype)
  }
  let members: Set<string> | undefined
  for (let index = 0; index < chain.length - 1; index++) {
    const prototype = chain[index] as object
    const above = chain[index + 1] as object
    if (keepsPrivateState(prototype)) continue
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (name === 'constructor' || name in above) continue
      members ??= new Set()
      members.add(name)
    }
  }
  return members ?? NONE
}
