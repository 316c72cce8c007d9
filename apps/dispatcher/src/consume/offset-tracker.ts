/**
 * Tracks which messages of one partition are finished, so the committed offset never passes a
 * message whose outcome is not yet durable. Messages finish out of order (a slow endpoint must not
 * hold up the partition), but the commit point only moves over a contiguous run of finished ones.
 */
export class OffsetTracker {
  private readonly pending = new Set<bigint>();
  private readonly finished = new Set<bigint>();
  private highest: bigint | undefined;
  private committedUpTo: bigint | undefined;

  /** Registers a message taken for processing; offsets must be added in increasing order. */
  start(offset: string): void {
    const value = BigInt(offset);
    if (this.highest !== undefined && value <= this.highest) {
      throw new RangeError(`offset ${offset} was started out of order (highest ${this.highest})`);
    }
    this.highest = value;
    this.pending.add(value);
  }

  /** Marks a started message as finished (its outcome is durable). */
  finish(offset: string): void {
    const value = BigInt(offset);
    if (!this.pending.delete(value)) throw new RangeError(`offset ${offset} was not started`);
    this.finished.add(value);
  }

  /** Messages started and not yet finished. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Messages from the commit point (the oldest unfinished) to the newest started, finished or not:
   * what a crash now would make the partition's next owner read again.
   */
  get uncommitted(): number {
    if (this.highest === undefined || this.pending.size === 0) return 0;
    let lowest = this.highest;
    for (const offset of this.pending) if (offset < lowest) lowest = offset;
    return Number(this.highest - lowest) + 1;
  }

  /**
   * The offset to commit (the next one to read) when it moved since the last call, else `undefined`.
   * It is the lowest unfinished offset, or one past the highest started when all are finished.
   */
  takeCommit(): string | undefined {
    if (this.highest === undefined) return undefined;
    let next = this.highest + 1n;
    for (const offset of this.pending) if (offset < next) next = offset;
    for (const offset of this.finished) if (offset < next) this.finished.delete(offset);
    if (this.committedUpTo !== undefined && next <= this.committedUpTo) return undefined;
    this.committedUpTo = next;
    return next.toString();
  }
}
