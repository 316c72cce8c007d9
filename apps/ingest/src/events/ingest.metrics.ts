import { EVENT_TYPES, isKnownEventType } from '@hookline/events';
import { Counter, Histogram, type Registry } from 'prom-client';

/** What became of an event: accepted now, refused, answered from an earlier request, or not accepted for lack of a dependency. */
export type IngestResult = 'accepted' | 'invalid' | 'duplicate' | 'error';

/** Every `IngestResult`. */
export const INGEST_RESULTS: readonly IngestResult[] = ['accepted', 'invalid', 'duplicate', 'error'];

/** Where a request came from. */
export type IngestSource = 'http' | 'kafka';

/** How one request ended, for the duration histogram. */
export type RequestOutcome = 'accepted' | 'rejected' | 'unavailable';

/** What an idempotency key found: the same request (answered again) or a different one (refused). */
export type IdempotencyHit = 'replayed' | 'conflict';

const IDEMPOTENCY_HITS: readonly IdempotencyHit[] = ['replayed', 'conflict'];

/** Label of event types that are not in the catalogue; any string a producer sends would grow the series without bound. */
export const UNKNOWN_TYPE_LABEL = 'unknown';

/** The ingest service's own metrics, registered on the service registry. */
export class IngestMetrics {
  private readonly events: Counter<'type' | 'result'>;
  private readonly duration: Histogram<'source' | 'outcome'>;
  private readonly idempotencyHits: Counter<'outcome'>;

  constructor(registry: Registry) {
    this.events = new Counter({
      name: 'hookline_events_ingested_total',
      help: 'Events received by ingest, by catalogue type and what became of them.',
      labelNames: ['type', 'result'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'hookline_ingest_request_duration_seconds',
      help: 'Time from receiving a request (or ingest-topic message) to answering it, including the Kafka acknowledgement.',
      labelNames: ['source', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.idempotencyHits = new Counter({
      name: 'hookline_ingest_idempotency_hits_total',
      help: 'Requests whose idempotency key was already used: replayed (same request) or conflict (different request).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    // Every series exists from start, so rate() and increase() see the first error of each kind
    // (HooklineIngestErrors reads result="error"); the labels are bounded by the catalogue.
    for (const type of [...EVENT_TYPES, UNKNOWN_TYPE_LABEL])
      for (const result of INGEST_RESULTS) this.events.inc({ type, result }, 0);
    for (const outcome of IDEMPOTENCY_HITS) this.idempotencyHits.inc({ outcome }, 0);
  }

  /** Counts one event per entry of `types`; types outside the catalogue share one label. */
  countEvents(types: readonly (string | undefined)[], result: IngestResult): void {
    const byLabel = new Map<string, number>();
    for (const type of types) {
      const label = type !== undefined && isKnownEventType(type) ? type : UNKNOWN_TYPE_LABEL;
      byLabel.set(label, (byLabel.get(label) ?? 0) + 1);
    }
    for (const [type, count] of byLabel) this.events.inc({ type, result }, count);
  }

  /** Counts keys that were already in use. */
  countIdempotencyHit(outcome: IdempotencyHit, keys: number): void {
    if (keys > 0) this.idempotencyHits.inc({ outcome }, keys);
  }

  /** Starts timing a request; call the returned function once it is answered. */
  startRequest(source: IngestSource): (outcome: RequestOutcome) => void {
    const stop = this.duration.startTimer({ source });
    return (outcome) => {
      stop({ outcome });
    };
  }
}
