/**
 * A FIFO with a fixed capacity that drops its oldest items when full, so memory stays bounded while
 * the server is unreachable. Dropped items are returned so the caller can count them.
 */
export class BoundedQueue<T> {
  private items: T[] = []
  private head = 0

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.items.length - this.head
  }

  /** Appends an item; returns how many of the oldest items were dropped to make room. */
  push(item: T): number {
    this.items.push(item)
    return this.trim()
  }

  /** Puts items back at the front (a batch that failed to send); returns how many were dropped. */
  unshift(items: readonly T[]): number {
    this.compact()
    this.items.unshift(...items)
    return this.trim()
  }

  /** Removes and returns up to `count` items from the front. */
  take(count: number): T[] {
    const taken = this.items.slice(this.head, this.head + count)
    this.head += taken.length
    this.compactIfMostlyGone()
    return taken
  }

  /** Removes everything; returns how many items there were. */
  clear(): number {
    const count = this.length
    this.items = []
    this.head = 0
    return count
  }

  private compact(): void {
    if (this.head === 0) return
    this.items = this.items.slice(this.head)
    this.head = 0
  }

  /** Lets go of the items before `head` once they are most of the array, so dropped items are freed. */
  private compactIfMostlyGone(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) this.compact()
  }

  private trim(): number {
    const excess = this.length - this.capacity
    if (excess <= 0) return 0
    this.head += excess
    this.compactIfMostlyGone()
    return excess
  }
}
