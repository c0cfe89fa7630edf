/** A transport's best-effort flush, run when the process is about to exit. */
export type ExitFlush = () => Promise<unknown>

const flushes = new Set<ExitFlush>()
let listening = false

async function onBeforeExit(): Promise<void> {
  // `beforeExit` fires again after this work ends; each flush stops itself once it has nothing new.
  await Promise.allSettled([...flushes].map((flush) => flush()))
}

/**
 * Registers a flush to run on `beforeExit` (one process listener for every profiler, so creating many
 * profilers never trips the max-listeners warning). Returns the function that unregisters it.
 */
export function registerExitFlush(flush: ExitFlush): () => void {
  flushes.add(flush)
  if (!listening) {
    listening = true
    process.on('beforeExit', onBeforeExit)
  }
  return () => {
    flushes.delete(flush)
    if (flushes.size === 0 && listening) {
      listening = false
      process.off('beforeExit', onBeforeExit)
    }
  }
}
