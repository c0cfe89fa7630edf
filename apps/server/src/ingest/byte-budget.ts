/**
 * A shared allowance of bytes: ingest takes a batch's share before reading it and gives it back
 * when the batch is answered. A parsed batch holds many times its size in memory (a 5 MB batch of
 * small metadata objects, 15-20 times), so bounding the bytes in flight bounds the server's memory
 * however many clients send at once. One request larger than the whole budget still passes alone.
 */
export class ByteBudget {
  private inFlight = 0

  constructor(readonly limit: number) {}

  /** Takes `bytes` if they fit (or nothing else is in flight); false when the caller must wait or refuse. */
  tryTake(bytes: number): boolean {
    if (this.inFlight > 0 && this.inFlight + bytes > this.limit) return false
    this.inFlight += bytes
    return true
  }

  /** Grows a loan from `from` to `to` bytes if the rest fits (or nothing else is in flight); false otherwise. */
  tryGrow(from: number, to: number): boolean {
    const others = this.inFlight - from
    if (others > 0 && others + to > this.limit) return false
    this.inFlight = others + to
    return true
  }

  /** Returns bytes taken with `tryTake`. */
  give(bytes: number): void {
    this.inFlight = Math.max(0, this.inFlight - bytes)
  }

  /** Bytes taken and not yet given back. */
  get used(): number {
    return this.inFlight
  }
}
