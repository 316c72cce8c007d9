import type { Consumer } from 'kafkajs';

/** Settings of a consumer supervisor. */
export interface ConsumerSupervisorOptions {
  /** Builds a new consumer (same group, same settings) for a restart. */
  readonly build: () => Consumer;
  /** Connects, subscribes and runs a consumer; resolves once it runs. */
  readonly start: (consumer: Consumer) => Promise<void>;
  /** Told before each attempt to restart, with why and how long it waits first. */
  readonly onRestart: (reason: string, delayMs: number) => void;
  /** First wait before a restart; doubled after every failed attempt up to `maxDelayMs`. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
}

/**
 * Keeps a kafkajs consumer running. The client restarts itself after retriable errors, but gives up
 * for good after others (a group coordinator it could not find while the broker was restarting,
 * say) and then consumes nothing more while the process lives on. The supervisor notices such a
 * crash, builds a new consumer and starts it, with backoff, until `stop` is called. Messages the
 * crashed consumer had not committed are read again by the new one: nothing is lost.
 */
export class ConsumerSupervisor {
  private consumer: Consumer;
  private stopped = false;
  // Restarts run one after another; a consumer that crashes while another restart runs waits its turn.
  private restarting: Promise<void> = Promise.resolve();
  private wake: () => void = () => undefined;

  constructor(private readonly options: ConsumerSupervisorOptions) {
    this.consumer = this.watch(options.build());
  }

  /** The consumer in use now; a restart replaces it. */
  get current(): Consumer {
    return this.consumer;
  }

  /** Starts the first consumer; a failure here is the caller's to handle (nothing is retried). */
  async start(): Promise<void> {
    await this.options.start(this.consumer);
  }

  /** Stops restarting and disconnects the consumer in use. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.restarting;
    await this.consumer.disconnect();
  }

  private watch(consumer: Consumer): Consumer {
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.stopped) return;
      const reason = describe(payload.error);
      this.restarting = this.restarting.then(() =>
        consumer === this.consumer && !this.stopped ? this.restart(reason) : undefined,
      );
    });
    return consumer;
  }

  private async restart(firstReason: string): Promise<void> {
    let reason = firstReason;
    let delayMs = this.options.initialDelayMs ?? 500;
    const maxDelayMs = this.options.maxDelayMs ?? 30_000;
    while (!this.stopped) {
      this.options.onRestart(reason, delayMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (this.stopped) return;
      await this.consumer.disconnect().catch(() => undefined);
      if (this.stopped) return;
      this.consumer = this.watch(this.options.build());
      try {
        await this.options.start(this.consumer);
        return;
      } catch (error) {
        reason = describe(error);
        delayMs = Math.min(delayMs * 2, maxDelayMs);
      }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
