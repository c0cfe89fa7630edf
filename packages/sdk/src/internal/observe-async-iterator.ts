import type { ErrorReporter } from './error-reporter.ts'
import { runSafely } from './run-safely.ts'

/** Callbacks of `observeAsyncIterator`; none of them may change what the consumer receives except `hide`. */
export interface IterationObserver<T> {
  /** Sees each item; returning true hides it from the consumer (e.g. a usage-only chunk nobody asked for). */
  onItem(item: T): boolean | undefined
  /** The source ended normally. */
  onDone(): void
  /** The source threw. */
  onError(error: unknown): void
  /** The consumer stopped early (`break`, `return()`). */
  onCancel(): void
  /**
   * Asked when the consumer stops early: true to read one more item first, as the observer's own
   * (e.g. the usage-only chunk the profiler asked for, after the chunk that finished the answer).
   */
  readsOneMoreOnCancel?(): boolean
}

/** Options of `observeAsyncIterator`. */
export interface ObserveAsyncIteratorOptions {
  /** Stops the source: a read for `readsOneMoreOnCancel` still pending after `oneMoreReadMs`. */
  abort?: () => void
  /** Longest wait for that read (default 1000 ms). */
  oneMoreReadMs?: number
}

/**
 * Wraps an async iterator so an observer sees every item, the end, a failure or an early stop,
 * while the consumer gets exactly the same sequence (minus hidden items), errors and cancellation.
 * Calls to `next()` are serialised so hiding an item can never reorder concurrent reads.
 */
export function observeAsyncIterator<T>(
  inner: AsyncIterator<T>,
  observer: IterationObserver<T>,
  reporter: ErrorReporter,
  options: ObserveAsyncIteratorOptions = {},
): AsyncGenerator<T> {
  // Reads are serialised so hiding an item can never reorder concurrent reads, but the chain is only
  // built while one is pending: a `for await` loop takes the direct path, one promise per item.
  let pending = 0
  let tail: Promise<unknown> | undefined

  const onFailure = (error: unknown): never => {
    pending--
    runSafely(reporter, 'observing a stream (error)', () => observer.onError(error))
    throw error
  }
  const onResult = (result: IteratorResult<T>): IteratorResult<T> | Promise<IteratorResult<T>> => {
    if (result.done) {
      pending--
      runSafely(reporter, 'observing a stream (end)', () => observer.onDone())
      return result
    }
    let hidden: unknown
    try {
      hidden = observer.onItem(result.value)
    } catch (error) {
      reporter.reportInternal('observing a stream (item)', error)
    }
    if (hidden === true) return read()
    pending--
    return result
  }
  const read = (): Promise<IteratorResult<T>> => {
    let next: Promise<IteratorResult<T>>
    try {
      next = inner.next()
    } catch (error) {
      next = Promise.reject(error)
    }
    return next.then(onResult, onFailure)
  }

  const readsOneMore = (): boolean => {
    try {
      return observer.readsOneMoreOnCancel?.() === true
    } catch (error) {
      reporter.reportInternal('observing a stream (cancel)', error)
      return false
    }
  }
  // The observer sees the item (never the consumer, who has stopped). True when the source ended
  // with it: the observer has heard of the end, and there is nothing left to cancel.
  const readOneMore = async (): Promise<boolean> => {
    const timer = setTimeout(() => options.abort?.(), options.oneMoreReadMs ?? 1_000)
    try {
      const result = await inner.next()
      if (result.done) {
        runSafely(reporter, 'observing a stream (end)', () => observer.onDone())
        return true
      }
      runSafely(reporter, 'observing a stream (item)', () => observer.onItem(result.value))
      return false
    } finally {
      clearTimeout(timer)
    }
  }

  const iterator: AsyncGenerator<T> = {
    next() {
      const result = pending === 0 || !tail ? read() : tail.then(read, read)
      pending++
      tail = result
      return result
    },
    async return(value?: unknown) {
      if (pending === 0 && readsOneMore()) {
        const ended = await readOneMore().catch(() => false)
        if (ended) {
          if (typeof inner.return === 'function') return inner.return(value)
          return { done: true, value: value as T }
        }
      }
      runSafely(reporter, 'observing a stream (cancel)', () => observer.onCancel())
      if (typeof inner.return === 'function') return inner.return(value)
      return { done: true, value: value as T }
    },
    async throw(error?: unknown) {
      runSafely(reporter, 'observing a stream (cancel)', () => observer.onCancel())
      if (typeof inner.throw === 'function') return inner.throw(error)
      throw error
    },
    [Symbol.asyncIterator]() {
      return iterator
    },
  }
  return iterator
}
