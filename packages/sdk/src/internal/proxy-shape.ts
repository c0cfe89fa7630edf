// biome-ignore lint/suspicious/noExplicitAny: provider methods have arbitrary signatures; the proxy forwards them untouched.
export type AnyFunction = (...args: any[]) => any

/**
 * Which parts of a provider client the profiler wraps. Anything not named here is passed through
 * as it is, so the wrapped client keeps the full surface (and type) of the original.
 */
export interface ProxyShape {
  /** Methods to replace: receives the original method and the real object, returns the replacement. */
  intercept?: Readonly<Record<string, (original: AnyFunction, target: object) => AnyFunction>>
  /** Properties holding sub-objects (resources) to wrap with their own shape. */
  children?: Readonly<Record<string, () => ProxyShape>>
  /**
   * Properties that must resolve to another wrapped object. The SDKs' helpers (parse, stream,
   * runTools, chats) reach `create` through such back-references (`this._client`), so pointing
   * them at the wrapped client makes every helper call go through exactly one recorded `create`.
   */
  aliases?: Readonly<Record<string, () => object>>
  /** Methods whose result (or resolved result) is wrapped too, e.g. `startChat()` → chat session. */
  wrapResults?: Readonly<Record<string, () => ProxyShape>>
  /**
   * Call the other methods with the real object as `this`. Needed for classes with `#private`
   * fields (the clients themselves), which throw when `this` is a proxy.
   */
  bindToTarget?: boolean
}
