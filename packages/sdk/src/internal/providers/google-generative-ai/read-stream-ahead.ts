/** What `readStreamAhead` gives. */
export interface StreamReadAhead<T> {
  /** Yields what the source yielded, then ends or fails as it did, at the pace its reader asks. */
  stream: AsyncGenerator<T>
  /** Settles, never rejecting, once the source has ended or failed. */
  ended: Promise<void>
}

/**
 * Reads an async iterator to its end at once, whether or not anyone else reads it, handing each item
 * to `onItem`, and gives the reader a stream of the same items, end and error. For the `stream` of
 * @google/generative-ai and @google-cloud/vertexai: one branch of a tee whose other branch the SDK reads
 * whole for its aggregated `response`, so the branch is buffered whole anyway, and reading it here holds
 * nothing more (a reader that leaves early drops what is left) and reads the answer no sooner.
 * `onItem` must not throw: the reader would get its failure as the stream's.
 */
export function readStreamAhead<T>(source: AsyncIterator<T>, onItem: (item: T) => void): StreamReadAhead<T> {
  let buffered: T[] = []
  let taken = 0
  let end: { failed: false } | { failed: true; error: unknown } | undefined
  let left = false
  let wake: (() => void) | undefined

  const ended = (async () => {
    try {
      for (let result = await source.next(); !result.done; result = await source.next()) {
        onItem(result.value)
        if (!left) buffered.push(result.value)
        wake?.()
      }
      end = { failed: false }
    } catch (error) {
      // Kept for the reader, if any: unread, a failure is nobody's, as it is unwrapped. The items not read
      // yet go: unwrapped, a stream that fails drops what its reader had not taken.
      end = { failed: true, error }
      buffered = []
      taken = 0
    }
    wake?.()
  })()

  async function* replay(): AsyncGenerator<T> {
    try {
      for (;;) {
        if (taken < buffered.length) {
          const item = buffered[taken] as T
          taken++
          if (taken === buffered.length) {
            buffered = []
            taken = 0
          }
          yield item
        } else if (end) {
          if (end.failed) throw end.error
          return
        } else {
          await new Promise<void>((resolve) => {
            wake = resolve
          })
          wake = undefined
        }
      }
    } finally {
      left = true
      buffered = []
    }
  }
  return { stream: replay(), ended }
}
