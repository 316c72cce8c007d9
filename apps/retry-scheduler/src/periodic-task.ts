/**
 * Runs a task every `intervalMs`, never two at once: the next run is timed from the end of the
 * previous one. A failed run is reported and the schedule goes on.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts the schedule: the first run now, or after one interval. */
  start(firstRun: 'now' | 'after-interval'): void {
    if (firstRun === 'now') this.tick();
    else this.schedule();
  }

  /** Stops the schedule once the run under way has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private tick(): void {
    this.running = this.task()
      .catch((error: unknown) => this.onError(error))
      .finally(() => this.schedule());
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }
}
