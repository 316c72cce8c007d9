import { type CreatedFormat, createUlidGenerator, newEventId, type RawEvent } from '@hookline/events';
import type { ClaimDecision, IdempotencyStore } from '../idempotency/idempotency.store';
import type { MessagePublisher } from '../kafka/message.publisher';
import { acceptedEventMessage, acceptEvent } from './accepted-event.factory';
import { validateEvents } from './event-batch.validator';
import {
  type KeyResolution,
  planClaims,
  type PlannedClaim,
  requestReplies,
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

/** What happened while the keys were held. */
type ClaimedRun = KeyResolution | { readonly kind: 'publish-failed'; readonly reason: string };

/**
 * Accepts events for a tenant: validates every one against the catalogue (a batch is all or nothing),
 * completes the envelopes, and publishes each to its per-type topic, answering only once Kafka has
 * acknowledged them. Idempotency keys make a repeated request answer with the original events instead
 * of publishing again.
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

    const prepared = this.prepare(checked.events, command);
    const claims = planClaims(prepared, batch, command.idempotencyKey);
    const outcome =
      claims.length === 0
        ? await this.publishAll(prepared, batch)
        : await this.publishOnce(command.tenantId, prepared, batch, claims);
    if (outcome.kind === 'unavailable' || outcome.kind === 'idempotency-in-flight') {
      metrics.countEvents(
        prepared.map((event) => event.raw.type),
        'error',
      );
    }
    return outcome;
  }

  private prepare(events: readonly RawEvent[], command: IngestCommand): PreparedEvent[] {
    const context = {
      tenantId: command.tenantId,
      acceptedAt: this.now(),
      createdFormat: this.options.createdFormat,
      apiVersion: this.options.apiVersion,
      requestId: command.requestId ?? this.newRequestId(),
      idempotencyKey: command.idempotencyKey ?? null,
    };
    return events.map((raw) => {
      const accepted = acceptEvent(raw, raw.id ?? this.newEventId(), context);
      return { raw, accepted, message: acceptedEventMessage(accepted, raw) };
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
    tenantId: string,
    prepared: readonly PreparedEvent[],
    batch: boolean,
    claims: readonly PlannedClaim[],
  ): Promise<IngestOutcome> {
    // Plain retries of a finished request are answered from committed rows, without taking locks.
    const found = await this.deps.idempotency.lookup(tenantId, claims);
    if (found.kind === 'unavailable')
      return { kind: 'unavailable', dependency: 'database', reason: found.reason };
    const known = resolveKeys(found.keys, claims, prepared, batch);
    if (known.kind !== 'publish') return this.settle(known, prepared);

    const run = await this.deps.idempotency.claim<ClaimedRun>(tenantId, claims, async (states) => {
      const resolution = resolveKeys(states, claims, prepared, batch);
      if (resolution.kind !== 'publish') return release(resolution);
      const messages = resolution.indexes.map((index) => prepared[index].message);
      const published = await this.deps.publisher.publish(messages);
      if (published.kind === 'failed') return release({ kind: 'publish-failed', reason: published.reason });
      return { kind: 'commit', value: resolution, replies: requestReplies(claims, states, resolution.reply) };
    });
    switch (run.kind) {
      case 'in-flight':
        return { kind: 'idempotency-in-flight', key: run.key };
      case 'unavailable':
        return { kind: 'unavailable', dependency: 'database', reason: run.reason };
      case 'done':
        if (run.value.kind === 'publish-failed') {
          return { kind: 'unavailable', dependency: 'kafka', reason: run.value.reason };
        }
        if (run.value.kind === 'publish' && !run.committed) {
          const ids = run.value.indexes.map((index) => prepared[index].accepted.event.id);
          this.deps.warn(
            `events ${ids.join(', ')} were published but their idempotency keys could not be stored`,
          );
        }
        return this.settle(run.value, prepared);
    }
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

function release<T>(value: T): ClaimDecision<T> {
  return { kind: 'release', value };
}

function typeOf(input: unknown): string | undefined {
  const type = (input as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : undefined;
}
