import { isDataRefusal } from '../database-errors';

/** When a BatchWriter writes. */
export interface BatchWriterOptions {
  /** Write as soon as this many items are queued. */
  readonly maxBatchRows: number;
  /**
   * Longest wait before queued items are written while an earlier batch is still being written.
   * When no write is under way a batch starts at once (on the next turn of the event loop).
   */
  readonly flushIntervalMs: number;
  /** Told how long each batch took to write, for metrics. */
  readonly onBatchWritten?: (rows: number, seconds: number) => void;
  /**
   * Whether a failed batch was refused for the data of some item in it: it is then written again
   * one item at a time, so only the items at fault fail. Defaults to PostgreSQL's data refusals.
   */
  readonly isItemFault?: (error: unknown) => boolean;
}

interface Queued<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Groups writes into batches: `add` resolves once the batch holding the item is durable (with the
 * item's own result) and rejects when it could not be written. Batches are written one after
 * another, so a resolved `add` also means every earlier batch was written. While one batch is being
 * written the next one gathers, so a busy writer batches more and an idle one adds no wait.
 *
 * One bad item never fails the others: when a batch is refused for its data, its items are written
 * again one by one and only the refused ones reject.
 */
export class BatchWriter<T, R = void> {
  private queue: Array<Queued<T, R>> = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private writing: Promise<void> = Promise.resolve();
  private busy = 0;
  private closed = false;
  private readonly isItemFault: (error: unknown) => boolean;

  /** `write` stores one batch of at most `maxBatchRows` items atomically and returns one result per item. */
  constructor(
    private readonly write: (items: T[]) => Promise<R[] | void>,
    private readonly options: BatchWriterOptions,
  ) {
    this.isItemFault = options.isItemFault ?? isDataRefusal;
  }

  /** Queues an item; resolves with its result once it is durable. */
  add(item: T): Promise<R> {
    if (this.closed) return Promise.reject(new Error('the batch writer is closed'));
    const durable = new Promise<R>((resolve, reject) => this.queue.push({ item, resolve, reject }));
    // The caller gets the rejection through `durable`; this only keeps an unawaited one from crashing.
    durable.catch(() => undefined);
    if (this.queue.length >= this.options.maxBatchRows) {
      this.flush().catch(() => undefined);
    } else if (this.busy === 0) {
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        this.flush().catch(() => undefined);
      });
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush().catch(() => undefined), this.options.flushIntervalMs);
    }
    return durable;
  }

  /** Writes everything queued so far; resolves when it is durable, rejects if any of it failed. */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.immediate !== undefined) {
      clearImmediate(this.immediate);
      this.immediate = undefined;
    }
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return this.writing;
    this.busy += 1;
    const written = this.writing.then(() => this.writeAll(batch));
    this.writing = written.catch(() => undefined);
    void this.writing.finally(() => {
      this.busy -= 1;
      // What gathered meanwhile goes out now rather than when its timer fires.
      if (this.busy === 0 && this.queue.length > 0) this.flush().catch(() => undefined);
    });
    return written;
  }

  /** Writes what is queued and refuses further items. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async writeAll(batch: Array<Queued<T, R>>): Promise<void> {
    let firstError: unknown;
    for (let start = 0; start < batch.length; start += this.options.maxBatchRows) {
      const chunk = batch.slice(start, start + this.options.maxBatchRows);
      try {
        await this.writeChunk(chunk);
      } catch (error) {
        firstError ??= error;
      }
    }
    if (firstError !== undefined) throw firstError;
  }

  private async writeChunk(chunk: Array<Queued<T, R>>): Promise<void> {
    try {
      const started = performance.now();
      const results = await this.write(chunk.map((queued) => queued.item));
      this.options.onBatchWritten?.(chunk.length, (performance.now() - started) / 1000);
      chunk.forEach((queued, index) => queued.resolve((results ? results[index] : undefined) as R));
    } catch (error) {
      if (chunk.length > 1 && this.isItemFault(error)) {
        let firstError: unknown;
        for (const queued of chunk) {
          await this.writeChunk([queued]).catch((itemError: unknown) => {
            firstError ??= itemError;
          });
        }
        if (firstError !== undefined) throw firstError;
        return;
      }
      for (const queued of chunk) queued.reject(error);
      throw error;
    }
  }
}

/** Appends `values` to `params` and returns their `($n, …)` tuple; `casts` maps a position to a cast. */
export function placeholders(
  params: unknown[],
  values: unknown[],
  casts: Record<number, string> = {},
): string {
  const refs = values.map((value, i) => {
    params.push(value);
    return `$${params.length}${casts[i] ?? ''}`;
  });
  return `(${refs.join(', ')})`;
}
