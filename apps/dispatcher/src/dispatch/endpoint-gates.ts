import CircuitBreaker from 'opossum';

/** Circuit breaker settings, shared by every endpoint's breaker. */
export interface BreakerSettings {
  /** Failure percentage within the rolling window that opens the breaker. */
  readonly errorThresholdPercentage: number;
  /** Attempts needed in the window before the percentage counts. */
  readonly volumeThreshold: number;
  /** How long an open breaker waits before letting a probe through (half-open). */
  readonly resetTimeoutMs: number;
  /** Length of the rolling window of attempt statistics. */
  readonly rollingWindowMs: number;
}

/** Settings of the per-endpoint gates. */
export interface EndpointGateSettings {
  /** Requests in flight to one endpoint at most; more wait in its queue. */
  readonly maxInFlight: number;
  /** Requests waiting for one endpoint at most, whatever their expected wait; more are deferred. */
  readonly maxQueued: number;
  /**
   * Longest expected wait for a slot: a request that would wait longer (judged by how long the
   * endpoint takes to answer lately) is deferred to the retry path instead of holding its partition.
   */
  readonly maxQueueWaitMs: number;
  readonly breaker: BreakerSettings;
}

/** Breaker states, as exported in metrics. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Told about every breaker transition (for metrics, logs and the reported state), with its reason. */
export type BreakerListener = (
  endpointId: string,
  from: BreakerState | undefined,
  to: BreakerState | undefined,
  reason?: string,
) => void;

/** What happened to a request sent through a gate. */
export type GateResult<T> =
  | { readonly kind: 'ran'; readonly value: T }
  | { readonly kind: 'circuit-open' }
  | { readonly kind: 'saturated' };

class CountedFailure<T> extends Error {
  constructor(readonly value: T) {
    super('attempt failed');
  }
}

// Weight of the newest answer time in the endpoint's moving average.
const LATENCY_WEIGHT = 0.2;

/**
 * One endpoint's gate: a concurrency limit with a queue bounded by expected wait, then an opossum
 * circuit breaker. A fast endpoint under a burst queues deliveries for a moment (and its partitions
 * stop being read once their in-flight limit is reached: back-pressure through Kafka); a slow one
 * queues only what it can serve soon and defers the rest, and a failing one stops being called at
 * all while its breaker is open, so neither holds back deliveries to other endpoints.
 */
export class EndpointGate {
  private inFlight = 0;
  private readonly waiting: Array<{ readonly since: number; readonly wake: (admitted: boolean) => void }> =
    [];
  // When each request in flight took its slot (monotonic ms, oldest first) and the moving average
  // of answer times.
  private readonly started = new Map<number, number>();
  private nextRequest = 0;
  private latencyMs: number | undefined;
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>, (value: unknown) => boolean], unknown>;
  lastUsed = Date.now();

  constructor(
    readonly endpointId: string,
    private readonly settings: EndpointGateSettings,
    private readonly listener: BreakerListener,
  ) {
    this.breaker = new CircuitBreaker(
      async (action: () => Promise<unknown>, failed: (value: unknown) => boolean) => {
        const value = await action();
        if (failed(value)) throw new CountedFailure(value);
        return value;
      },
      {
        timeout: false,
        errorThresholdPercentage: settings.breaker.errorThresholdPercentage,
        volumeThreshold: settings.breaker.volumeThreshold,
        resetTimeout: settings.breaker.resetTimeoutMs,
        rollingCountTimeout: settings.breaker.rollingWindowMs,
        rollingCountBuckets: 10,
      },
    );
    // opossum reports only the new state; the previous one is remembered for the transition metric.
    this.breaker.on('open', () => this.transition('open'));
    this.breaker.on('halfOpen', () => this.transition('half-open'));
    this.breaker.on('close', () => this.transition('closed'));
    listener(endpointId, undefined, 'closed');
  }

  private current: BreakerState = 'closed';
  // When the breaker last opened from closed; failed probes reopen it without resetting this.
  private openedAt: number | undefined;

  private transition(to: BreakerState): void {
    const from = this.current;
    this.current = to;
    if (to === 'open' && this.openedAt === undefined) this.openedAt = Date.now();
    if (to === 'closed') this.openedAt = undefined;
    this.listener(this.endpointId, from, to, this.reasonFor(from, to));
  }

  /** Why the breaker went from `from` to `to`, in words for the endpoint's owner. */
  private reasonFor(from: BreakerState, to: BreakerState): string {
    const { breaker } = this.settings;
    if (to === 'half-open')
      return `open for ${Math.round(breaker.resetTimeoutMs / 1000)} s; letting one attempt through`;
    if (to === 'closed') return 'an attempt succeeded while half-open';
    if (from === 'half-open') return 'the attempt let through while half-open failed';
    const { failures, fires } = this.breaker.stats;
    return (
      `${failures} of ${fires} attempts failed in the last ${Math.round(breaker.rollingWindowMs / 1000)} s ` +
      `(at least ${breaker.errorThresholdPercentage} % of at least ${breaker.volumeThreshold} opens it)`
    );
  }

  /** How long the breaker has kept the endpoint off (open, or probing), in ms; 0 when closed. */
  get unavailableForMs(): number {
    return this.openedAt === undefined ? 0 : Date.now() - this.openedAt;
  }

  /** The breaker's state now. */
  get state(): BreakerState {
    return this.current;
  }

  /** Whether nothing is in flight or waiting. */
  get idle(): boolean {
    return this.inFlight === 0 && this.waiting.length === 0;
  }

  /**
   * Runs `action` when a slot is free and the breaker lets it; a result for which `failed` is true
   * counts against the breaker but is still returned.
   */
  async run<T>(action: () => Promise<T>, failed: (value: T) => boolean): Promise<GateResult<T>> {
    this.lastUsed = Date.now();
    if (this.breaker.opened && !this.breaker.halfOpen) return { kind: 'circuit-open' };
    if (this.inFlight >= this.settings.maxInFlight) {
      this.releaseOverdue();
      if (this.waiting.length >= this.settings.maxQueued) return { kind: 'saturated' };
      if (this.expectedWaitMs(this.waiting.length + 1) > this.settings.maxQueueWaitMs)
        return { kind: 'saturated' };
      const admitted = await new Promise<boolean>((wake) =>
        this.waiting.push({ since: performance.now(), wake }),
      );
      if (!admitted) return { kind: 'saturated' };
    }
    this.inFlight += 1;
    const request = this.nextRequest++;
    const startedAt = performance.now();
    this.started.set(request, startedAt);
    let answered = true;
    try {
      const value = (await this.breaker.fire(action, failed as (value: unknown) => boolean)) as T;
      return { kind: 'ran', value };
    } catch (error) {
      if (error instanceof CountedFailure) return { kind: 'ran', value: error.value as T };
      answered = false;
      if ((error as { code?: string }).code === 'EOPENBREAKER') return { kind: 'circuit-open' };
      throw error;
    } finally {
      this.started.delete(request);
      if (answered) this.observe(performance.now() - startedAt);
      this.inFlight -= 1;
      this.waiting.shift()?.wake(true);
    }
  }

  private observe(tookMs: number): void {
    this.latencyMs =
      this.latencyMs === undefined ? tookMs : this.latencyMs + LATENCY_WEIGHT * (tookMs - this.latencyMs);
  }

  /**
   * Defers the requests that have waited longer than the longest expected wait: the endpoint turned
   * slow after they were queued, and they would otherwise hold their partitions for that long.
   */
  private releaseOverdue(): void {
    const overdue = performance.now() - this.settings.maxQueueWaitMs;
    while (this.waiting.length > 0 && this.waiting[0].since < overdue) this.waiting.shift()?.wake(false);
  }

  /**
   * How long the request at `position` in the queue would wait for a slot: the queue ahead of it
   * drains `maxInFlight` at a time, each taking the endpoint's recent answer time, or longer when a
   * request in flight is already older than that (an endpoint that just turned slow, or a new one
   * whose first answers have not come back yet).
   */
  private expectedWaitMs(position: number): number {
    const oldestStart = this.started.values().next().value;
    const oldest = oldestStart === undefined ? 0 : performance.now() - oldestStart;
    const answerMs = Math.max(this.latencyMs ?? 0, oldest);
    return Math.ceil(position / this.settings.maxInFlight) * answerMs;
  }

  /** Stops the breaker's timers. */
  shutdown(): void {
    this.breaker.shutdown();
    this.listener(this.endpointId, this.state, undefined);
  }
}

/** The gates of all endpoints, created on first use and dropped when idle and closed. */
export class EndpointGates {
  private readonly gates = new Map<string, EndpointGate>();

  constructor(
    private readonly settings: EndpointGateSettings,
    private readonly listener: BreakerListener = () => undefined,
    private readonly maxIdleGates = 10_000,
  ) {}

  /** The gate of an endpoint. */
  for(endpointId: string): EndpointGate {
    let gate = this.gates.get(endpointId);
    if (!gate) {
      if (this.gates.size >= this.maxIdleGates) this.evictIdle();
      gate = new EndpointGate(endpointId, this.settings, this.listener);
      this.gates.set(endpointId, gate);
    }
    return gate;
  }

  /** The breaker state of an endpoint, if it has a gate. */
  stateOf(endpointId: string): BreakerState | undefined {
    return this.gates.get(endpointId)?.state;
  }

  /** Forgets an endpoint's gate (it was deleted). */
  drop(endpointId: string): void {
    const gate = this.gates.get(endpointId);
    if (gate && gate.idle) {
      gate.shutdown();
      this.gates.delete(endpointId);
    }
  }

  /** Stops every breaker. */
  shutdown(): void {
    for (const gate of this.gates.values()) gate.shutdown();
    this.gates.clear();
  }

  private evictIdle(): void {
    // An open breaker is state worth keeping; an idle closed one is rebuilt for free.
    const idle = [...this.gates.values()]
      .filter((g) => g.idle && g.state === 'closed')
      .sort((a, b) => a.lastUsed - b.lastUsed);
    for (const gate of idle.slice(0, Math.max(1, Math.floor(idle.length / 2)))) {
      gate.shutdown();
      this.gates.delete(gate.endpointId);
    }
  }
}
