import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BreakerState } from './endpoint-gates';

/** How a delivery attempt ended, as counted in metrics. */
export const ATTEMPT_OUTCOMES = ['delivered', 'retry', 'failed', 'deferred', 'skipped'] as const;
/** How a delivery attempt ended, as counted in metrics. */
export type AttemptMetricOutcome = (typeof ATTEMPT_OUTCOMES)[number];
/** Every status class label value. */
const STATUS_CLASSES = ['none', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** What kind of topic a poison message came from. */
export const POISON_TOPIC_KINDS = ['events', 'tasks'] as const;

/** Status class label; `none` when no HTTP answer came back. Bounded to six values. */
export function statusClass(status: number | null | undefined): string {
  return status === null || status === undefined ? 'none' : `${Math.floor(status / 100)}xx`;
}

/**
 * The dispatcher's metrics. No label carries an endpoint, event or URL, so the series count does not
 * grow with customers; per-endpoint detail lives in the delivery log instead.
 */
export class DispatcherMetrics {
  /** Attempts by outcome and status class. */
  readonly deliveries: Counter<'outcome' | 'status_class'>;
  /** Duration of each HTTP attempt. */
  readonly attemptDuration: Histogram<'status_class'>;
  /** Event accepted by ingest → endpoint answered 2xx. */
  readonly endToEndLatency: Histogram;
  /** Breakers by state right now. */
  readonly breakers: Gauge<'state'>;
  /** Breaker state changes. */
  readonly breakerTransitions: Counter<'to'>;
  /** Retries handed to a retry tier. */
  readonly retriesScheduled: Counter<'tier'>;
  /** Deliveries that gave up and went to the dead-letter topic. */
  readonly deadLettered: Counter;
  /** Endpoints disabled by the dispatcher (410 Gone). */
  readonly endpointsDisabled: Counter<'reason'>;
  /** Messages set aside because they can never be handled (undecodable, refused by the database). */
  readonly poisonMessages: Counter<'topic_kind'>;
  /** Messages asking for an attempt already made or in hand elsewhere: a replay, a duplicate task or event copy. */
  readonly duplicatesDropped: Counter;
  /** Time to write one batch of attempt or event rows. */
  readonly recordBatchDuration: Histogram<'table'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.deliveries = new Counter({
      name: 'hookline_deliveries_total',
      help: 'Delivery attempts by outcome and HTTP status class.',
      labelNames: ['outcome', 'status_class'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'hookline_delivery_attempt_duration_seconds',
      help: 'Duration of one HTTP delivery attempt.',
      labelNames: ['status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.endToEndLatency = new Histogram({
      name: 'hookline_delivery_latency_seconds',
      help: 'From the event being accepted by ingest to the endpoint answering 2xx.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300, 3600, 86400],
      registers,
    });
    this.breakers = new Gauge({
      name: 'hookline_breakers',
      help: 'Per-endpoint circuit breakers by state.',
      labelNames: ['state'],
      registers,
    });
    this.breakerTransitions = new Counter({
      name: 'hookline_breaker_transitions_total',
      help: 'Circuit breaker state changes, by new state.',
      labelNames: ['to'],
      registers,
    });
    this.retriesScheduled = new Counter({
      name: 'hookline_retries_scheduled_total',
      help: 'Retries handed to a retry tier, by tier.',
      labelNames: ['tier'],
      registers,
    });
    this.deadLettered = new Counter({
      name: 'hookline_dead_lettered_total',
      help: 'Deliveries that exhausted their retries and went to the dead-letter topic.',
      registers,
    });
    this.endpointsDisabled = new Counter({
      name: 'hookline_endpoints_disabled_total',
      help: 'Endpoints disabled by the dispatcher, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.poisonMessages = new Counter({
      name: 'hookline_poison_messages_total',
      help: 'Messages set aside on the dead-letter topic because they can never be handled.',
      labelNames: ['topic_kind'],
      registers,
    });
    this.recordBatchDuration = new Histogram({
      name: 'hookline_record_batch_duration_seconds',
      help: 'Time to write one batch of delivery attempts or events to Postgres.',
      labelNames: ['table'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.duplicatesDropped = new Counter({
      name: 'hookline_duplicate_attempts_dropped_total',
      help: 'Messages asking for a delivery attempt already made or being made elsewhere, dropped unsent.',
      registers,
    });
    for (const state of ['closed', 'open', 'half-open']) this.breakers.set({ state }, 0);
    // Series exist from the start, so a rate or increase() sees the first poison message too.
    for (const kind of POISON_TOPIC_KINDS) this.poisonMessages.inc({ topic_kind: kind }, 0);
    for (const outcome of ATTEMPT_OUTCOMES) {
      for (const status_class of STATUS_CLASSES) this.deliveries.inc({ outcome, status_class }, 0);
    }
    this.duplicatesDropped.inc(0);
  }

  /** Keeps the breaker gauges and transition counter in step with one breaker's change. */
  breakerChanged(from: BreakerState | undefined, to: BreakerState | undefined): void {
    if (from) this.breakers.dec({ state: from });
    if (to) {
      this.breakers.inc({ state: to });
      if (from) this.breakerTransitions.inc({ to });
    }
  }
}
