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
  /**
   * Takes work that goes on after the consumer stopped waiting (the read for `readsOneMoreOnCancel`,
   * the wait after `signal` aborted); it never rejects.
   */
  onFinishingLater?: (work: Promise<void>) => void
  /**
   * The source's abort signal. Once it aborts, a read may never settle (a client's helper aborts its own
   * request after its caller left, then waits on the source for ever): if the observer has heard of no
   * end `abortGraceMs` later, it hears of a stop.
   */
  signal?: AbortSignal
  /** Default 250 ms. */
  abortGraceMs?: number
  /** Told once, when the consumer first asks for an item (before the source is read). */
  onFirstRead?: () => void
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
  // Set once the observer heard of the end, a failure or a stop; the abort watch (below) tells it only
  // if not, and stops waiting as soon as it is.
  let told = false
  let stopWaiting: (() => void) | undefined
  const markTold = () => {
    told = true
    stopWaiting?.()
  }

  const onFailure = (error: unknown): never => {
    pending--
    markTold()
    runSafely(reporter, 'observing a stream (error)', () => observer.onError(error))
    throw error
  }
  const onResult = (result: IteratorResult<T>): IteratorResult<T> | Promise<IteratorResult<T>> => {
    if (result.done) {
      pending--
      markTold()
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
  const closeSource = (value: unknown): void => {
    if (typeof inner.return !== 'function') return
    try {
      // Its answer is nobody's: the consumer has had its own. It may also wait behind a read that
      // never ends, which must keep nothing waiting.
      Promise.resolve(inner.return(value)).catch(() => undefined)
    } catch {
      // A source that cannot be closed is left to be collected.
    }
  }
  // After an early stop, the one item the observer still needs is read in the background: the
  // consumer already has its answer. The observer sees it (never the consumer) or, past
  // `oneMoreReadMs`, the source is aborted and the observer hears of the stop; either way once.
  const readOneMoreThenClose = (value: unknown): Promise<void> => {
    let settled = false
    let done: () => void = () => undefined
    const finished = new Promise<void>((resolve) => {
      done = resolve
    })
    const settle = (ended: boolean) => {
      if (settled) return
      settled = true
      markTold()
      clearTimeout(timer)
      if (!ended) {
        runSafely(reporter, 'observing a stream (cancel)', () => observer.onCancel())
        closeSource(value)
      }
      done()
    }
    const timer = setTimeout(() => {
      runSafely(reporter, 'observing a stream (cancel)', () => options.abort?.())
      settle(false)
    }, options.oneMoreReadMs ?? 1_000)
    let next: Promise<IteratorResult<T>>
    try {
      next = Promise.resolve(inner.next())
    } catch (error) {
      next = Promise.reject(error)
    }
    next.then(
      (result) => {
        if (settled) return
        if (result.done) {
          runSafely(reporter, 'observing a stream (end)', () => observer.onDone())
          settle(true)
          return
        }
        runSafely(reporter, 'observing a stream (item)', () => observer.onItem(result.value))
        settle(false)
      },
      () => settle(false),
    )
    return finished
  }

  let onFirstRead = options.onFirstRead
  // Once the consumer stopped, its later reads end at once, as on a closed generator.
  let stopped = false
  // Set once an early stop left the source to the read for the observer (see readOneMoreThenClose).
  let readingAfterStop = false
  const iterator: AsyncGenerator<T> = {
    next() {
      if (stopped) return Promise.resolve({ done: true, value: undefined as T })
      if (onFirstRead) {
        const first = onFirstRead
        onFirstRead = undefined
        runSafely(reporter, 'observing a stream (first read)', first)
      }
      const result = pending === 0 || !tail ? read() : tail.then(read, read)
      pending++
      tail = result
      return result
    },
    async return(value?: unknown) {
      // The read after the stop owns the source: it tells the observer and closes the source itself.
      if (readingAfterStop) return { done: true, value: value as T }
      if (!stopped && pending === 0 && readsOneMore()) {
        stopped = true
        readingAfterStop = true
        const finishing = readOneMoreThenClose(value)
        runSafely(reporter, 'observing a stream (cancel)', () => options.onFinishingLater?.(finishing))
        return { done: true, value: value as T }
      }
      stopped = true
      markTold()
      runSafely(reporter, 'observing a stream (cancel)', () => observer.onCancel())
      if (typeof inner.return === 'function') return inner.return(value)
      return { done: true, value: value as T }
    },
    async throw(error?: unknown) {
      if (readingAfterStop) throw error
      stopped = true
      markTold()
      runSafely(reporter, 'observing a stream (cancel)', () => observer.onCancel())
      if (typeof inner.throw === 'function') return inner.throw(error)
      throw error
    },
    [Symbol.asyncIterator]() {
      return iterator
    },
  }
  // After the source's signal aborts, a read may never settle (a client's helper aborts its own request
  // after its caller left, then waits on the source for ever): without an end `abortGraceMs` later,
  // the observer hears of a stop. The wait holds no process.
  const onAbort = () => {
    if (told) return
    const waited = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        if (!told) {
          markTold()
          runSafely(reporter, 'observing a stream (cancel)', () => observer.onCancel())
        }
        resolve()
      }, options.abortGraceMs ?? 250)
      timer.unref()
      stopWaiting = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    options.onFinishingLater?.(waited)
  }
  if (options.signal?.aborted) onAbort()
  else options.signal?.addEventListener('abort', onAbort, { once: true })
  return iterator
}
