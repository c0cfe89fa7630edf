import { Worker } from 'node:worker_threads'
import type { SendThread } from '../../profiler-options.ts'
import {
  type BodyPoster,
  createBodyPoster,
  type PostAnswer,
  type PostFailure,
  type PostRequest,
  type PostResult,
} from './body-poster.ts'

/** Sends request bodies to the server, from a worker thread or from the host's own loop. */
export interface BodySender {
  /** Resolves with the answer; rejects with the failure as an `Error` (its `name`, `message` and `code`). */
  post(request: PostRequest, signal?: AbortSignal): Promise<PostAnswer>
  /** Lets the send thread go once no profiler uses it (the posts of this sender have settled). */
  close(): void
}

type Settle = (id: number, result: PostResult) => void

/** A message to the send thread: a post, or the abort of one. */
type ToThread = { id: number; request: PostRequest } | { abort: number }

// The thread runs the very source of createBodyPoster, so both ways of sending are one code. A tool that
// keeps function names (esbuild's keepNames: tsx, some bundlers) calls its `__name` helper from within
// it: the thread has its own, which needs to do nothing.
const THREAD_SOURCE = `'use strict'
const __name = (target) => target
const poster = (${createBodyPoster.toString()})()
const { parentPort } = process.getBuiltinModule('node:worker_threads')
parentPort.on('message', (message) => {
  if (message.abort !== undefined) poster.abort(message.abort)
  else poster.post(message.id, message.request, (id, result) => parentPort.postMessage({ id, result }))
})`

/**
 * The one send thread of the process, shared by every profiler in it, and started with the first. Node's
 * HTTP client code runs there (and gzip's set-up): a flush runs it too rarely for V8 to optimise it, and
 * on the host's loop a cold request could hold it for over a millisecond on a small machine. The host's
 * loop only hands the body over and reads the answer back.
 */
class SendThreadPoster implements BodyPoster {
  /** The senders using the thread, each with what it is told if the thread's code fails. */
  readonly users = new Set<{ threadFailed: (error: unknown) => void }>()
  /** Why the thread's code failed, once it has: the process sends from the loop from then on. */
  failure: string | undefined
  private worker: Worker | undefined
  private readonly settles = new Map<number, Settle>()

  /** Starts the thread; throws when this process cannot start one, or its code failed before. */
  start(): void {
    if (this.failure !== undefined) throw new Error(this.failure)
    if (this.worker) return
    // The host's preloaded modules (`--require`, `--import`: an APM agent, a TypeScript loader) stay
    // out of it: it runs plain JavaScript and Node's own modules, and its requests are the SDK's own.
    const worker = new Worker(THREAD_SOURCE, { eval: true, execArgv: [] })
    worker.on('message', ({ id, result }: { id: number; result: PostResult }) => {
      const settle = this.settles.get(id)
      this.settles.delete(id)
      settle?.(id, result)
    })
    const stopped = (why: string) => {
      if (this.worker !== worker) return
      this.worker = undefined
      // The posts it held fail, and are retried (on a new thread) as any failed send.
      const failure: PostFailure = {
        name: 'Error',
        message: `the send thread stopped: ${why}`,
        code: undefined,
      }
      for (const [id, settle] of [...this.settles]) {
        this.settles.delete(id)
        settle(id, { failure })
      }
    }
    // An error the thread did not catch is its code failing (transformed past running there, say): it
    // would fail again, so the process sends from the loop from now on.
    worker.on('error', (error) => {
      this.failure = `the send thread failed: ${error.message}`
      stopped(error.message)
      for (const user of this.users) user.threadFailed(error)
    })
    worker.on('exit', (code) => stopped(`it exited with code ${code}`))
    // It never keeps the process alive: a process that has finished its work waits for a send only in
    // the bounded flush at exit (see EventTransport.flushBeforeExit), as with sends from the loop. After
    // the listeners, which would ref it again.
    worker.unref()
    this.worker = worker
  }

  post(id: number, request: PostRequest, settle: Settle): void {
    if (this.failure !== undefined) {
      inlinePoster().post(id, request, settle)
      return
    }
    try {
      this.start()
    } catch (error) {
      settle(id, { failure: { name: 'Error', message: `no send thread: ${String(error)}`, code: undefined } })
      return
    }
    this.settles.set(id, settle)
    this.worker?.postMessage({ id, request } satisfies ToThread)
  }

  abort(id: number): void {
    if (this.failure !== undefined) inlinePoster().abort(id)
    else this.worker?.postMessage({ abort: id } satisfies ToThread)
  }

  stop(): void {
    const worker = this.worker
    this.worker = undefined
    void worker?.terminate()
  }
}

let inline: BodyPoster | undefined
/** The poster that sends from the loop, one per process. */
function inlinePoster(): BodyPoster {
  inline ??= createBodyPoster()
  return inline
}

const sendThread = new SendThreadPoster()
let nextPostId = 1

function toError(failure: PostFailure): Error {
  return Object.assign(new Error(failure.message), failure)
}

/**
 * A sender for one transport. `'worker'` posts from the process's send thread, started now (about a
 * millisecond of the host's loop, once, rather than in a flush); when this process cannot start one, or
 * the thread's code fails, `threadFailed` is told why and posts go from the loop. `'inline'` posts from
 * the loop.
 */
export function createBodySender(thread: SendThread, threadFailed: (error: unknown) => void): BodySender {
  let poster: BodyPoster
  // Its own entry, though two senders may be given the same function.
  const user = { threadFailed }
  let usesThread = false
  if (thread === 'worker') {
    try {
      sendThread.start()
      sendThread.users.add(user)
      usesThread = true
      poster = sendThread
    } catch (error) {
      threadFailed(error)
      poster = inlinePoster()
    }
  } else poster = inlinePoster()
  return {
    post(request, signal) {
      return new Promise((resolve, reject) => {
        const id = nextPostId++
        const abort = () => poster.abort(id)
        signal?.addEventListener('abort', abort, { once: true })
        poster.post(id, request, (_, result) => {
          signal?.removeEventListener('abort', abort)
          if ('answer' in result) resolve(result.answer)
          else reject(toError(result.failure))
        })
        if (signal?.aborted) abort()
      })
    },
    close() {
      if (!usesThread) return
      usesThread = false
      sendThread.users.delete(user)
      if (sendThread.users.size === 0) sendThread.stop()
    },
  }
}
