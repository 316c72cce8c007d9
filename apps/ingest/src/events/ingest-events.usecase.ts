import {
  type CreatedFormat,
  createUlidGenerator,
  derivedUlid,
  newEventId,
  type RawEvent,
  type RecordCoordinates,
  recordEventId,
} from '@hookline/events';
import type { HeldClaim } from '../idempotency/held-claim';
import type { IdempotencyStore } from '../idempotency/idempotency.store';
import type { MessagePublisher } from '../kafka/message.publisher';
import { acceptedEventMessage, acceptEvent } from './accepted-event.factory';
import { validateEvents } from './event-batch.validator';
import {
  adoptIdentities,
  type KeyResolution,
  keyRecords,
  planClaims,
  type PlannedClaim,
  type PublishResolution,
  type RequestIdentities,
  resolveKeys,
} from './idempotency.plan';
import { type FieldProblem, readEventsBody } from './ingest-body.reader';
import { freshReply, type IngestReply, type PreparedEvent } from './ingest-reply';
import type { IngestMetrics } from './ingest.metrics';

export type { EventRef, IngestReply, SingleReply } from './ingest-reply';

/** A request to accept events, from either adapter (HTTP or the ingest topic). */
export interface IngestCommand {
  /** Tenant the events belong to, already authenticated or verified by the adapter. */
  readonly tenantId: string;
  /** The decoded body: one event, an array of events, or `{ "events": [...] }`. */
  readonly body: unknown;
  /** Key covering the whole request (the `Idempotency-Key` header). */
  readonly idempotencyKey?: string;
  /** Caller's request id, stamped on events that carry none of their own. */
  readonly requestId?: string;
  /**
   * The Kafka record the events arrived in (Kafka adapter only). Ids of events that bring none, the
   * acceptance time and the request id derive from it, so a record read twice yields the same events.
   */
  readonly record?: RecordCoordinates;
}

/** How a request ended. */
export type IngestOutcome =
  /** Every event is on its topic; `replayed` when an earlier request had accepted all of them. */
  | { readonly kind: 'accepted'; readonly reply: IngestReply; readonly replayed: boolean }
  | { readonly kind: 'invalid'; readonly message: string; readonly fields: readonly FieldProblem[] }
  | { readonly kind: 'too-many-events'; readonly count: number; readonly limit: number }
  /** The key was first used for a different request. */
  | { readonly kind: 'idempotency-conflict'; readonly field: string; readonly key: string }
  /** A request with the same key is still being processed. */
  | { readonly kind: 'idempotency-in-flight'; readonly key: string }
  | { readonly kind: 'unavailable'; readonly dependency: 'kafka' | 'database'; readonly reason: string };

/** Limits and contract of the use case. */
export interface IngestEventsOptions {
  /** Most events one request may carry. */
  readonly maxBatch: number;
  /** How `created` is rendered (the preset's choice). */
  readonly createdFormat: CreatedFormat;
  /** `api_version` stamped on every event. */
  readonly apiVersion: string;
}

/** Collaborators of the use case; clocks and id sources are replaceable in tests. */
export interface IngestEventsDependencies {
  readonly publisher: MessagePublisher;
  readonly idempotency: IdempotencyStore;
  readonly metrics: IngestMetrics;
  /** Told when events went out but their idempotency keys could not be kept. */
  readonly warn: (message: string) => void;
  readonly now?: () => Date;
  readonly newEventId?: () => string;
  readonly newRequestId?: () => string;
}

/** A request's events as it will publish them, and what that resolves to. */
interface Resolved<R extends KeyResolution> {
  readonly resolution: R;
  readonly prepared: readonly PreparedEvent[];
}

/**
 * Accepts events for a tenant: validates every one against the catalogue (a batch is all or nothing),
 * completes the envelopes, and publishes each to its per-type topic, answering only once Kafka has
 * acknowledged them. Idempotency keys make a repeated request answer with the original events instead
 * of publishing again; when the request holding a key died, a repeat publishes what that one had
 * planned, under the same ids, since its events may already be out.
 */
export class IngestEvents {
  private readonly now: () => Date;
  private readonly newEventId: () => string;
  private readonly newRequestId: () => string;

  constructor(
    private readonly options: IngestEventsOptions,
    private readonly deps: IngestEventsDependencies,
  ) {
    this.now = deps.now ?? (() => new Date());
    this.newEventId = deps.newEventId ?? (() => newEventId());
    const requestUlid = createUlidGenerator();
    this.newRequestId = deps.newRequestId ?? (() => `req_${requestUlid()}`);
  }

  /** Runs one request through validation, idempotency and publishing. */
  async execute(command: IngestCommand): Promise<IngestOutcome> {
    const { metrics } = this.deps;
    const body = readEventsBody(command.body);
    if (body.kind === 'unreadable') {
      metrics.countEvents([undefined], 'invalid');
      return { kind: 'invalid', message: 'the body holds no event', fields: [body.problem] };
    }
    const batch = body.kind === 'batch';
    const inputs = body.kind === 'batch' ? body.events : [body.event];
    if (batch && inputs.length === 0) {
      metrics.countEvents([undefined], 'invalid');
      return {
        kind: 'invalid',
        message: 'the batch is empty',
        fields: [{ field: 'events', message: 'must contain at least one event' }],
      };
    }
    if (inputs.length > this.options.maxBatch) {
      metrics.countEvents(inputs.map(typeOf), 'invalid');
      return { kind: 'too-many-events', count: inputs.length, limit: this.options.maxBatch };
    }

    const checked = validateEvents(inputs, batch, command.idempotencyKey);
    if (checked.kind === 'invalid') {
      metrics.countEvents(inputs.map(typeOf), 'invalid');
      return checked;
    }

    const identities = this.identify(checked.events, command);
    const prepared = this.prepare(checked.events, identities, command);
    const claims = planClaims(prepared, batch, command.idempotencyKey);
    const outcome =
      claims.length === 0
        ? await this.publishAll(prepared, batch)
        : await this.publishOnce(command, claims, identities, prepared, batch);
    if (outcome.kind === 'unavailable' || outcome.kind === 'idempotency-in-flight') {
      metrics.countEvents(
        prepared.map((event) => event.raw.type),
        'error',
      );
    }
    return outcome;
  }

  /** Ids and acceptance of a request's events before any stored claim is considered. */
  private identify(events: readonly RawEvent[], command: IngestCommand): RequestIdentities {
    const { record } = command;
    const request = {
      acceptedAt: record ? new Date(record.timestampMs) : this.now(),
      requestId: command.requestId ?? (record ? recordRequestId(record) : this.newRequestId()),
    };
    return {
      request,
      events: events.map((raw, index) => ({
        id: raw.id ?? (record ? recordEventId(record, index) : this.newEventId()),
        acceptance: request,
      })),
    };
  }

  private prepare(
    events: readonly RawEvent[],
    identities: RequestIdentities,
    command: IngestCommand,
  ): PreparedEvent[] {
    return events.map((raw, index) => {
      const { id, acceptance } = identities.events[index];
      const accepted = acceptEvent(raw, id, {
        tenantId: command.tenantId,
        acceptedAt: acceptance.acceptedAt,
        createdFormat: this.options.createdFormat,
        apiVersion: this.options.apiVersion,
        requestId: acceptance.requestId,
        idempotencyKey: command.idempotencyKey ?? null,
      });
      return { raw, accepted, message: acceptedEventMessage(accepted, raw), acceptance };
    });
  }

  private async publishAll(prepared: readonly PreparedEvent[], batch: boolean): Promise<IngestOutcome> {
    const published = await this.deps.publisher.publish(prepared.map((event) => event.message));
    if (published.kind === 'failed')
      return { kind: 'unavailable', dependency: 'kafka', reason: published.reason };
    this.deps.metrics.countEvents(
      prepared.map((event) => event.raw.type),
      'accepted',
    );
    return { kind: 'accepted', reply: freshReply(prepared, batch), replayed: false };
  }

  private async publishOnce(
    command: IngestCommand,
    claims: readonly PlannedClaim[],
    identities: RequestIdentities,
    prepared: readonly PreparedEvent[],
    batch: boolean,
  ): Promise<IngestOutcome> {
    const { tenantId, idempotencyKey } = command;
    // Plain retries of a finished request are answered from committed rows, without taking locks.
    const found = await this.deps.idempotency.lookup(tenantId, claims);
    if (found.kind === 'unavailable')
      return { kind: 'unavailable', dependency: 'database', reason: found.reason };
    const known = resolveKeys(found.keys, claims, prepared, batch);
    if (known.kind !== 'publish') return this.settle(known, prepared);

    const run = await this.deps.idempotency.claim<Resolved<PublishResolution>, Resolved<KeyResolution>>(
      tenantId,
      claims,
      (states) => {
        // Runs while the claim transaction holds its row locks: nothing is rebuilt without need.
        const adopted = adoptIdentities(claims, states, identities);
        const events =
          adopted === identities
            ? prepared
            : this.prepare(
                prepared.map((event) => event.raw),
                adopted,
                command,
              );
        const adoptedClaims = events === prepared ? claims : planClaims(events, batch, idempotencyKey);
        const resolution = resolveKeys(states, adoptedClaims, events, batch);
        if (resolution.kind !== 'publish') return { kind: 'drop', value: { resolution, prepared: events } };
        return {
          kind: 'hold',
          value: { resolution, prepared: events },
          records: keyRecords(adoptedClaims, states, resolution, events, adopted.request),
        };
      },
    );
    switch (run.kind) {
      case 'in-flight':
        return { kind: 'idempotency-in-flight', key: run.key };
      case 'unavailable':
        return { kind: 'unavailable', dependency: 'database', reason: run.reason };
      case 'dropped':
        return this.settle(run.value.resolution, run.value.prepared);
      case 'held':
        return this.publishHeld(run.claim, run.value);
    }
  }

  private async publishHeld(
    claim: HeldClaim,
    { resolution, prepared }: Resolved<PublishResolution>,
  ): Promise<IngestOutcome> {
    const messages = resolution.indexes.map((index) => prepared[index].message);
    const published = await claim.whilePublishing(() => this.deps.publisher.publish(messages));
    if (published.kind === 'failed') {
      await claim.release(published.written);
      return { kind: 'unavailable', dependency: 'kafka', reason: published.reason };
    }
    const finished = await claim.finish();
    if (finished.kind !== 'done') {
      const ids = resolution.indexes.map((index) => prepared[index].accepted.event.id).join(', ');
      this.deps.warn(
        finished.kind === 'lost'
          ? `the idempotency claim on events ${ids} lapsed while they were published; the request that took it over publishes them again under the same ids`
          : `events ${ids} were published but their idempotency keys could not be marked done (${finished.reason}); a retry with the same key publishes them again under the same ids`,
      );
    }
    return this.settle(resolution, prepared);
  }

  private settle(resolution: KeyResolution, prepared: readonly PreparedEvent[]): IngestOutcome {
    const { metrics } = this.deps;
    switch (resolution.kind) {
      case 'conflict':
        metrics.countIdempotencyHit('conflict', 1);
        metrics.countEvents(
          prepared.map((event) => event.raw.type),
          'invalid',
        );
        return { kind: 'idempotency-conflict', field: resolution.claim.field, key: resolution.claim.key };
      case 'replay':
        metrics.countIdempotencyHit('replayed', resolution.hits);
        metrics.countEvents(
          prepared.map((event) => event.raw.type),
          'duplicate',
        );
        return { kind: 'accepted', reply: resolution.reply, replayed: true };
      case 'publish': {
        if (resolution.hits > 0) metrics.countIdempotencyHit('replayed', resolution.hits);
        const fresh = new Set(resolution.indexes);
        prepared.forEach((event, index) =>
          metrics.countEvents([event.raw.type], fresh.has(index) ? 'accepted' : 'duplicate'),
        );
        return { kind: 'accepted', reply: resolution.reply, replayed: false };
      }
    }
  }
}

// A record's request id, like its events' ids, is the same every time the record is read.
function recordRequestId(record: RecordCoordinates): string {
  const seed = JSON.stringify(['request', record.topic, record.partition, record.offset]);
  return `req_${derivedUlid(record.timestampMs, seed)}`;
}

function typeOf(input: unknown): string | undefined {
  const type = (input as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : undefined;
}
