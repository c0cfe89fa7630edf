const marker = Symbol.for('ai-cost-profiler.core.error')

/** Stable codes for errors raised by the core package. */
export type CoreErrorCode = 'INVALID_DECIMAL' | 'INVALID_USAGE' | 'INVALID_PRICE_ENTRY' | 'INVALID_ARGUMENT'

/** The one error root of `@ai-cost-profiler/core`; `code` is stable, `message` is for people. */
export class CoreError extends Error {
  readonly code: CoreErrorCode
  readonly [marker] = true

  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CoreError'
    this.code = code
  }

  /** True for any CoreError, even one from another copy of this package. */
  static isInstance(value: unknown): value is CoreError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true
  }
}
