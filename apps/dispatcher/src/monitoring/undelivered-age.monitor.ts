import { Gauge, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

/**
 * Publishes `hookline_oldest_undelivered_seconds`: the age of the oldest delivery still pending or
 * awaiting a retry. It grows when deliveries are stuck anywhere (a dispatcher down, a retry tier not
 * consumed, an endpoint failing for hours), which makes it the one number worth paging on.
 */
export class UndeliveredAgeMonitor {
  private readonly gauge: Gauge;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    registry: Registry,
    private readonly intervalMs: number,
  ) {
    this.gauge = new Gauge({
      name: 'hookline_oldest_undelivered_seconds',
      help: 'Age of the oldest delivery that is pending or awaiting a retry (0 when none).',
      registers: [registry],
    });
  }

  /** Starts measuring in the background. */
  start(): void {
    const tick = () => {
      this.running = this.running.then(() => this.measure()).catch(() => undefined);
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  /** Measures once. */
  async measure(): Promise<void> {
    const rows: Array<{ age: string | null }> = await this.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM now() - min(created_at)) AS age FROM deliveries
       WHERE status IN ('pending', 'awaiting_retry')`,
    );
    this.gauge.set(Math.max(0, Number(rows[0]?.age ?? 0)));
  }

  /** Stops measuring. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
