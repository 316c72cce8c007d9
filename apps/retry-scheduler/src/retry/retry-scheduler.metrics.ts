import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * The retry scheduler's metrics. Labels name tiers (a handful per schedule), never endpoints or
 * events. Tasks waiting per tier are `hookline_consumer_lag{topic="hookline.retry.<tier>"}`.
 */
export class RetrySchedulerMetrics {
  /** Retry tasks handed back to the dispatcher, by tier. */
  readonly retriesDue: Counter<'tier'>;
  /** How long after its due time each task was handed back, by tier. */
  readonly tierLag: Histogram<'tier'>;
  /** Messages on a tier topic that were not retry tasks and were set aside. */
  readonly poisonMessages: Counter<'topic_kind'>;
  /** Endpoints disabled by the scheduler's sweep, by reason. */
  readonly endpointsDisabled: Counter<'reason'>;
  /** Deliveries found waiting long past their due time with nobody on them, queued again. */
  readonly stalledRequeued: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.retriesDue = new Counter({
      name: 'hookline_retries_due_total',
      help: 'Retry tasks handed back to the dispatcher once due, by tier.',
      labelNames: ['tier'],
      registers,
    });
    this.tierLag = new Histogram({
      name: 'hookline_retry_tier_lag_seconds',
      help: 'How long after its due time a retry task was handed back, by tier.',
      labelNames: ['tier'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 1800, 3600, 7200],
      registers,
    });
    this.poisonMessages = new Counter({
      name: 'hookline_poison_messages_total',
      help: 'Messages set aside on the dead-letter topic because they can never be handled.',
      labelNames: ['topic_kind'],
      registers,
    });
    this.endpointsDisabled = new Counter({
      name: 'hookline_endpoints_disabled_total',
      help: 'Endpoints disabled automatically, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.stalledRequeued = new Counter({
      name: 'hookline_stalled_deliveries_requeued_total',
      help: 'Deliveries found waiting long past their due time with no task in sight, queued again.',
      registers,
    });
    // Series exist from the start, so increase() sees the first occurrence too.
    this.poisonMessages.inc({ topic_kind: 'retry-tier' }, 0);
    this.stalledRequeued.inc(0);
  }
}
