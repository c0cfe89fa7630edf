/** Options for `GroupCommitter`. */
export interface GroupCommitterOptions<Row> {
  /** Writes rows from many requests in one transaction; returns, per row, whether it was stored. */
  write: (rows: Row[]) => Promise<boolean[]>
  /** How long the first request of a group waits for company. Default 2 ms. */
  delayMs?: number
  /** A group is written at once when it reaches this many rows. Default 5,000. */
  maxRows?: number
  /** Groups written at the same time (each on its own connection). Default 1. */
  maxConcurrentWrites?: number
  /**
   * While another group is being written, a new group waits until it holds this many rows or its
   * oldest request has waited `maxDelayWhileBusyMs`. Under load, a slot that frees up would otherwise
   * take whatever one or two requests arrived meanwhile, and a 100-row statement costs the database
   * about 40% more per row than one of 800. With nothing in flight a group goes as soon as its
   * window closes. Default 400.
   */
  minRowsWhileBusy?: number
  /** See `minRowsWhileBusy`. Default 10 ms. */
  maxDelayWhileBusyMs?: number
  /**
   * True for failures that may be one submission's fault (not the database's): the group is then
   * written again one submission at a time, so one bad request cannot fail its neighbours.
   */
  isolateFailure?: (error: unknown) => boolean
}

interface Pending<Row> {
  rows: Row[]
  queuedAtMs: number
  resolve: (stored: boolean[]) => void
  reject: (error: unknown) => void
}

/**
 * Group commit: concurrent requests share one multi-row write, so throughput does not depend on one
 * database round trip per request. Each request's promise settles only after its group committed.
 */
export class GroupCommitter<Row> {
  readonly #write: (rows: Row[]) => Promise<boolean[]>
  readonly #delayMs: number
  readonly #maxRows: number
  readonly #maxConcurrentWrites: number
  readonly #minRowsWhileBusy: number
  readonly #maxDelayWhileBusyMs: number
  readonly #isolateFailure: (error: unknown) => boolean
  #queue: Pending<Row>[] = []
  #queuedRows = 0
  #timer: NodeJS.Timeout | undefined
  #timerDueAtMs = 0
  #writing = 0
  #idleWaiters: Array<() => void> = []

  constructor(options: GroupCommitterOptions<Row>) {
    this.#write = options.write
    this.#delayMs = options.delayMs ?? 2
    this.#maxRows = options.maxRows ?? 5_000
    this.#maxConcurrentWrites = options.maxConcurrentWrites ?? 1
    this.#minRowsWhileBusy = options.minRowsWhileBusy ?? 400
    this.#maxDelayWhileBusyMs = options.maxDelayWhileBusyMs ?? 10
    this.#isolateFailure = options.isolateFailure ?? (() => false)
  }

  /** Queues rows for the next group; resolves with a stored flag per row once committed. */
  submit(rows: Row[]): Promise<boolean[]> {
    if (rows.length === 0) return Promise.resolve([])
    return new Promise((resolve, reject) => {
      this.#queue.push({ rows, queuedAtMs: performance.now(), resolve, reject })
      this.#queuedRows += rows.length
      if (this.#queuedRows >= this.#maxRows) this.#flushSoon(0)
      else this.#flushSoon(this.#delayMs)
    })
  }

  /** Resolves when nothing is queued or being written. */
  async drain(): Promise<void> {
    if (this.#queue.length > 0) this.#flushSoon(0)
    if (this.#queue.length === 0 && this.#writing === 0) return
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve))
  }

  // Flushes after `delayMs`, or sooner if a flush is already due sooner.
  #flushSoon(delayMs: number): void {
    const dueAtMs = performance.now() + delayMs
    if (this.#timer) {
      if (this.#timerDueAtMs <= dueAtMs) return
      clearTimeout(this.#timer)
    }
    this.#timerDueAtMs = dueAtMs
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#flush()
    }, delayMs)
  }

  #flush(): void {
    while (this.#queue.length > 0 && this.#writing < this.#maxConcurrentWrites) {
      if (this.#writing > 0 && this.#queuedRows < this.#minRowsWhileBusy) {
        const waitedMs = performance.now() - this.#queue[0]!.queuedAtMs
        if (waitedMs < this.#maxDelayWhileBusyMs) {
          this.#flushSoon(Math.max(1, this.#maxDelayWhileBusyMs - waitedMs))
          return
        }
      }
      const group: Pending<Row>[] = []
      let rowCount = 0
      while (
        this.#queue.length > 0 &&
        (group.length === 0 || rowCount + this.#queue[0]!.rows.length <= this.#maxRows)
      ) {
        const next = this.#queue.shift()!
        group.push(next)
        rowCount += next.rows.length
      }
      this.#queuedRows -= rowCount
      this.#writing++
      void this.#writeGroup(group)
    }
  }

  async #writeGroup(group: Pending<Row>[]): Promise<void> {
    try {
      const stored = await this.#write(group.flatMap((pending) => pending.rows))
      let offset = 0
      for (const pending of group) {
        pending.resolve(stored.slice(offset, offset + pending.rows.length))
        offset += pending.rows.length
      }
    } catch (error) {
      if (group.length > 1 && this.#isolateFailure(error)) {
        await Promise.all(
          group.map((pending) => this.#write(pending.rows).then(pending.resolve, pending.reject)),
        )
      } else {
        for (const pending of group) pending.reject(error)
      }
    } finally {
      this.#writing--
      if (this.#queue.length > 0) this.#flush()
      else if (this.#writing === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve()
    }
  }
}
