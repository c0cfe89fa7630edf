import { setTimeout as sleep } from 'node:timers/promises'
import { StorageError } from '../storage/storage-error.ts'
import { isTransientDatabaseError } from './is-transient-database-error.ts'

/** Options for `retryTransient`. */
export interface RetryTransientOptions {
  /** Tries in all, the first included. Default 3. */
  attempts?: number
  /** Delay before the second try; doubles each time, with jitter. Default 100 ms. */
  baseDelayMs?: number
  isTransient?: (error: unknown) => boolean
}

/** Runs `work`, trying again with exponential backoff while it fails transiently. */
export async function retryTransient<T>(
  work: () => Promise<T>,
  options: RetryTransientOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 3
  const baseDelayMs = options.baseDelayMs ?? 100
  const isTransient = options.isTransient ?? isTransientDatabaseError
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (error) {
      // A statement the database never answered is not tried again: that would hold the request as long again.
      const unanswered = StorageError.isInstance(error) && error.unanswered
      if (attempt >= attempts || unanswered || !isTransient(error)) throw error
      const delayMs = baseDelayMs * 2 ** (attempt - 1)
      await sleep(delayMs / 2 + Math.random() * (delayMs / 2))
    }
  }
}
