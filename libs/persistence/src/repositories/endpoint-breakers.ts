import type { DataSource } from 'typeorm';
import type { StoredBreakerState } from '../entities/endpoint-breaker.entity';

/** Settings of a `BreakerStateReporter`. */
export interface BreakerStateReporterOptions {
  /** The dispatcher process whose breakers are reported. */
  readonly owner: string;
  /** How long a row counts without being kept alive; the process keeps its rows alive at a third of it. */
  readonly ttlMs: number;
  /** Told about a write that failed; the write is tried again at the next keep-alive. */
  readonly onError?: (error: unknown) => void;
}

interface PendingReport {
  readonly state: StoredBreakerState;
  readonly since: Date;
  readonly reason: string | null;
}

/**
 * Writes one dispatcher's circuit breaker transitions to `endpoint_breakers`, off the delivery path:
 * `report` only notes the newest state of the endpoint and returns; a background flush writes it.
 * A failed write is logged and tried again later, never thrown. While the process runs it keeps its
 * rows alive; at `stop` it deletes them, and the rows of a process that died expire.
 */
export class BreakerStateReporter {
  private readonly pending = new Map<string, PendingReport | 'forget'>();
  // Writes that failed, tried again at the next keep-alive.
  private readonly retry = new Map<string, PendingReport | 'forget'>();
  private flushing: Promise<void> | undefined;
  // Endpoints this process has reported, so that forgetting one it never reported costs nothing.
  private readonly reported = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: BreakerStateReporterOptions,
  ) {}

  /** Starts keeping this process's rows alive (and clearing expired ones). */
  start(): void {
    this.timer = setInterval(() => void this.keepAlive(), Math.max(1000, Math.floor(this.options.ttlMs / 3)));
    this.timer.unref();
  }

  /** Notes that the endpoint's breaker entered `state` at `since`; written in the background. */
  report(endpointId: string, state: StoredBreakerState, since: Date, reason: string | null): void {
    if (this.stopped) return;
    this.reported.add(endpointId);
    this.pending.set(endpointId, { state, since, reason });
    this.scheduleFlush();
  }

  /** Notes that this process no longer has a breaker for the endpoint (its row is deleted). */
  forget(endpointId: string): void {
    if (this.stopped || !this.reported.delete(endpointId)) return;
    this.pending.set(endpointId, 'forget');
    this.scheduleFlush();
  }

  /** Writes what is pending, stops keeping rows alive and deletes this process's rows. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.flushing;
    this.pending.clear();
    if (this.reported.size === 0 && this.retry.size === 0) return;
    try {
      await this.dataSource.query('DELETE FROM endpoint_breakers WHERE owner = $1', [this.options.owner]);
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** Resolves once everything reported so far was written or failed. */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.flush())
      .finally(() => {
        this.flushing = undefined;
        if (this.pending.size > 0 && !this.stopped) this.scheduleFlush();
      });
  }

  private async flush(): Promise<void> {
    const batch = [...this.pending];
    this.pending.clear();
    for (const [endpointId, report] of batch) {
      try {
        if (report === 'forget') {
          await this.dataSource.query('DELETE FROM endpoint_breakers WHERE endpoint_id = $1 AND owner = $2', [
            endpointId,
            this.options.owner,
          ]);
        } else {
          await this.dataSource.query(
            `INSERT INTO endpoint_breakers (endpoint_id, owner, state, since, reason, expires_at)
             VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6 / 1000.0))
             ON CONFLICT (endpoint_id, owner) DO UPDATE SET state = EXCLUDED.state, since = EXCLUDED.since,
               reason = EXCLUDED.reason, expires_at = EXCLUDED.expires_at`,
            [endpointId, this.options.owner, report.state, report.since, report.reason, this.options.ttlMs],
          );
        }
      } catch (error) {
        this.options.onError?.(error);
        // Tried again at the next keep-alive, unless a newer report replaced it meanwhile.
        if (!this.pending.has(endpointId)) this.retry.set(endpointId, report);
      }
    }
  }

  private async keepAlive(): Promise<void> {
    for (const [endpointId, report] of this.retry) {
      if (!this.pending.has(endpointId)) this.pending.set(endpointId, report);
    }
    this.retry.clear();
    if (this.pending.size > 0) this.scheduleFlush();
    if (this.reported.size === 0) return;
    try {
      await this.dataSource.query(
        `UPDATE endpoint_breakers SET expires_at = now() + make_interval(secs => $2 / 1000.0) WHERE owner = $1`,
        [this.options.owner, this.options.ttlMs],
      );
      await this.dataSource.query('DELETE FROM endpoint_breakers WHERE expires_at < now()');
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}

/** An endpoint's circuit breaker across the dispatchers that report one. */
export interface EndpointBreakerSummary {
  /** `open` when any dispatcher's is open, else `half_open` when any probes, else `closed`. */
  readonly state: StoredBreakerState;
  /** When the earliest of the dispatchers in that state entered it; `null` when none reported it. */
  readonly since: Date | null;
  /** Why that dispatcher's breaker entered it. */
  readonly reason: string | null;
  /** Dispatchers whose breaker for the endpoint is open. */
  readonly dispatchersOpen: number;
  /** Dispatchers reporting a breaker for the endpoint (each one that changed state, while it runs). */
  readonly dispatchers: number;
}

/** The endpoint's breaker as the running dispatchers last reported it. */
export async function readEndpointBreaker(
  dataSource: DataSource,
  endpointId: string,
): Promise<EndpointBreakerSummary> {
  const rows: Array<{ state: StoredBreakerState; since: Date; reason: string | null }> =
    await dataSource.query(
      `SELECT state, since, reason FROM endpoint_breakers WHERE endpoint_id = $1 AND expires_at > now()
     ORDER BY since, owner`,
      [endpointId],
    );
  const state: StoredBreakerState = rows.some((row) => row.state === 'open')
    ? 'open'
    : rows.some((row) => row.state === 'half_open')
      ? 'half_open'
      : 'closed';
  const first = rows.find((row) => row.state === state);
  return {
    state,
    since: first?.since ?? null,
    reason: first?.reason ?? null,
    dispatchersOpen: rows.filter((row) => row.state === 'open').length,
    dispatchers: rows.length,
  };
}
