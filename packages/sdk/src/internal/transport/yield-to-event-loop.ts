import { setImmediate as nextTurn } from 'node:timers/promises'

/**
 * Events built or serialised in one turn of the event loop before the transport yields: about 0.1 ms
 * of work on a small machine, so sending a batch of any size never holds the loop for long.
 */
export const EVENTS_PER_TURN = 25

/** Resolves on the next turn of the event loop, after pending I/O callbacks (the caller's work) ran. */
export function yieldToEventLoop(): Promise<void> {
  return nextTurn()
}
