import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * The provider call in flight in the current async context, so the fetch wrapper installed on a
 * client can count every HTTP attempt (retries included) against the call that made it.
 */
export interface AttemptScope {
  /** The raw client whose fetch counts for this call. */
  readonly client: object
  attempts: number
  /** An enclosing call on the same client (a client wrapped by two profilers records in both). */
  readonly parent: AttemptScope | undefined
}

/** Shared by every profiler: one client may be wrapped by several, and its fetch is patched once. */
export const attemptStorage = new AsyncLocalStorage<AttemptScope>()

/** Counts one HTTP attempt of `client` in every call scope of the current async context that is for it. */
export function countAttempt(client: object): void {
  for (let scope = attemptStorage.getStore(); scope; scope = scope.parent) {
    if (scope.client === client) scope.attempts++
  }
}
