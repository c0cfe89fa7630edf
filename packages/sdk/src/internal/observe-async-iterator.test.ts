import { describe, expect, it, vi } from 'vitest'
import { createErrorReporter } from './error-reporter.ts'
import { type IterationObserver, observeAsyncIterator } from './observe-async-iterator.ts'

async function* numbers(count: number) {
  for (let value = 1; value <= count; value++) {
    await new Promise((resolve) => setTimeout(resolve, value % 2))
    yield value
  }
}

function recorder(hide: (item: number) => boolean = () => false) {
  const log: string[] = []
  const observer: IterationObserver<number> = {
    onItem: (item) => {
      log.push(`item:${item}`)
      return hide(item)
    },
    onDone: () => log.push('done'),
    onError: () => log.push('error'),
    onCancel: () => log.push('cancel'),
  }
  return { log, observer }
}

const reporter = createErrorReporter({ debug: false, onError: undefined })

describe('observeAsyncIterator', () => {
  it('keeps order under concurrent next() calls even when items are hidden', async () => {
    const { observer } = recorder((item) => item % 3 === 0)
    const iterator = observeAsyncIterator(numbers(10), observer, reporter)
    const results = await Promise.all(Array.from({ length: 8 }, () => iterator.next()))
    expect(results.map((result) => result.value)).toEqual([1, 2, 4, 5, 7, 8, 10, undefined])
  })

  it('reads one more item for the observer when it asks on an early stop, and hears of an end there', async () => {
    for (const [count, expected] of [
      [3, ['item:1', 'item:2', 'cancel']],
      [1, ['item:1', 'done']],
    ] as const) {
      const { log, observer } = recorder()
      const reads: Promise<void>[] = []
      const iterator = observeAsyncIterator(
        numbers(count),
        { ...observer, readsOneMoreOnCancel: () => true },
        reporter,
        {
          onFinishingLater: (read) => reads.push(read),
        },
      )
      for await (const _item of iterator) break
      // The consumer left at once; the read for the observer goes on after it.
      expect(reads).toHaveLength(1)
      // A second stop, or a throw, while that read goes on leaves it be: the observer hears once.
      expect(await iterator.return(undefined)).toEqual({ done: true, value: undefined })
      await expect(iterator.throw(new Error('late'))).rejects.toThrow('late')
      await reads[0]
      expect(log).toEqual(expected)
      expect(await iterator.next()).toEqual({ done: true, value: undefined })
    }
  })

  it('reports the end, errors and early returns', async () => {
    const done = recorder()
    for await (const _item of observeAsyncIterator(numbers(2), done.observer, reporter)) {
      // drain
    }
    expect(done.log).toEqual(['item:1', 'item:2', 'done'])

    const failing = recorder()
    async function* broken() {
      yield 1
      throw new Error('cut')
    }
    const consume = async () => {
      for await (const _item of observeAsyncIterator(broken(), failing.observer, reporter)) {
        // drain
      }
    }
    await expect(consume()).rejects.toThrow('cut')
    expect(failing.log).toEqual(['item:1', 'error'])

    const cancelled = recorder()
    const iterator = observeAsyncIterator(numbers(5), cancelled.observer, reporter)
    await iterator.next()
    await iterator.return(undefined)
    await expect(iterator.throw(new Error('stop'))).rejects.toThrow('stop')
    expect(cancelled.log).toEqual(['item:1', 'cancel', 'cancel'])
    expect(iterator[Symbol.asyncIterator]()).toBe(iterator)
  })

  it('works with bare iterators that have no return() or throw()', async () => {
    const { log, observer } = recorder()
    const bare: AsyncIterator<number> = { next: async () => ({ done: true, value: undefined }) }
    const iterator = observeAsyncIterator(bare, observer, reporter)
    expect(await iterator.return('x')).toEqual({ done: true, value: 'x' })
    await expect(iterator.throw(new Error('no throw'))).rejects.toThrow('no throw')
    expect(log).toEqual(['cancel', 'cancel'])
  })

  it('never lets an observer failure reach the consumer', async () => {
    const onError = vi.fn()
    const throwing: IterationObserver<number> = {
      onItem: () => {
        throw new Error('observer bug')
      },
      onDone: () => {
        throw new Error('observer bug')
      },
      onError: () => {},
      onCancel: () => {},
    }
    const items: number[] = []
    for await (const item of observeAsyncIterator(
      numbers(3),
      throwing,
      createErrorReporter({ debug: false, onError }),
    )) {
      items.push(item)
    }
    expect(items).toEqual([1, 2, 3])
    expect(onError).toHaveBeenCalledTimes(4)
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'INTERNAL_ERROR' })
  })

  it('tells the observer of a stop when its source aborted and a read never settles', async () => {
    const controller = new AbortController()
    const hanging: AsyncIterator<number> = {
      next: () =>
        controller.signal.aborted ? new Promise(() => undefined) : Promise.resolve({ done: false, value: 1 }),
    }
    const { log, observer } = recorder()
    const later: Promise<void>[] = []
    const iterator = observeAsyncIterator(hanging, observer, reporter, {
      signal: controller.signal,
      abortGraceMs: 5,
      onFinishingLater: (work) => later.push(work),
    })
    expect(await iterator.next()).toEqual({ done: false, value: 1 })
    controller.abort()
    void iterator.next()
    expect(later).toHaveLength(1)
    await later[0]
    expect(log).toEqual(['item:1', 'cancel'])

    // A read the abort fails: the observer hears of the failure, and the wait ends with it.
    const failing = new AbortController()
    const failed = recorder()
    const waits: Promise<void>[] = []
    const rejecting: AsyncIterator<number> = {
      next: () =>
        failing.signal.aborted
          ? Promise.reject(new Error('aborted'))
          : Promise.resolve({ done: false, value: 1 }),
    }
    const source = observeAsyncIterator(rejecting, failed.observer, reporter, {
      signal: failing.signal,
      abortGraceMs: 60_000,
      onFinishingLater: (work) => waits.push(work),
    })
    await source.next()
    failing.abort()
    await expect(source.next()).rejects.toThrow('aborted')
    await waits[0]
    expect(failed.log).toEqual(['item:1', 'error'])

    // A source that ended before the abort: the observer heard of the end and hears nothing more.
    const ended = new AbortController()
    const finished = recorder()
    const drained: Promise<void>[] = []
    for await (const _item of observeAsyncIterator(numbers(1), finished.observer, reporter, {
      signal: ended.signal,
      onFinishingLater: (work) => drained.push(work),
    })) {
      // read to the end
    }
    ended.abort()
    expect(drained).toEqual([])
    expect(finished.log).toEqual(['item:1', 'done'])
  })
})
