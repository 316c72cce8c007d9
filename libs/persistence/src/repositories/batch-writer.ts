/** When a BatchWriter writes. */
export interface BatchWriterOptions {
  /** Write as soon as this many items are queued. */
  readonly maxBatchRows: number;
  /** Write queued items at most this long after the first was queued. */
  readonly flushIntervalMs: number;
  /** Told how long each batch took to write, for metrics. */
  readonly onBatchWritten?: (rows: number, seconds: number) => void;
}

interface Queued<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Groups writes into batches: `add` resolves once the batch holding the item is durable and rejects
 * when it could not be written. Batches are written one after another, so a resolved `add` also
 * means every earlier batch was written. Services that write a row per event or per attempt would
 * otherwise spend a round trip and a commit on each.
 */
export class BatchWriter<T> {
  private queue: Array<Queued<T>> = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  /** `write` stores one batch of at most `maxBatchRows` items, atomically. */
  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly options: BatchWriterOptions,
  ) {}

  /** Queues an item; resolves once it is durable. */
  add(item: T): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the batch writer is closed'));
    const durable = new Promise<void>((resolve, reject) => this.queue.push({ item, resolve, reject }));
    // The caller gets the rejection through `durable`; this only keeps an unawaited one from crashing.
    durable.catch(() => undefined);
    if (this.queue.length >= this.options.maxBatchRows) {
      this.flush().catch(() => undefined);
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
    const batch = this.queue;
    this.queue = [];
    const written = this.writing.then(() => this.writeAll(batch));
    this.writing = written.catch(() => undefined);
    return written;
  }

  /** Writes what is queued and refuses further items. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async writeAll(batch: Array<Queued<T>>): Promise<void> {
    let firstError: unknown;
    for (let start = 0; start < batch.length; start += this.options.maxBatchRows) {
      const chunk = batch.slice(start, start + this.options.maxBatchRows);
      try {
        const started = performance.now();
        await this.write(chunk.map((queued) => queued.item));
        this.options.onBatchWritten?.(chunk.length, (performance.now() - started) / 1000);
        for (const queued of chunk) queued.resolve();
      } catch (error) {
        for (const queued of chunk) queued.reject(error);
        firstError ??= error;
      }
    }
    if (firstError !== undefined) throw firstError;
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
