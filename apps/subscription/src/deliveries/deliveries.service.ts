import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type DeliveryAttemptTask,
  expandEventTypePattern,
  findEventType,
  newEventId,
  renderWebhookEvent,
  validateEventData,
} from '@hookline/events';
import {
  DeliveryAttemptEntity,
  DeliveryEntity,
  DELIVERY_STATUSES,
  type DeliveryStatus,
  EndpointEntity,
} from '@hookline/persistence';
import { DataSource } from 'typeorm';
import type { SubscriptionConfig } from '../config';
import { checkKnownFields, readBody, withoutAbsentFields } from '../endpoints/endpoint-input.validator';
import {
  ConflictError,
  FieldErrors,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '../errors/domain.errors';
import { newResourceId } from '../ids/resource-id.generator';
import { eventTypeCondition, readEventTypeFilter } from '../listing/event-type-filter';
import { type ListInput, type Page, readCreatedRange, readInstant, readPaging } from '../listing/list-input';
import { SubscriptionMetrics } from '../metrics/subscription.metrics';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';
import { DeliveryTaskWriter } from './delivery-task.writer';
import {
  type DeliveryDetail,
  type DeliveryRow,
  type DeliveryView,
  type QueuedDelivery,
  toDeliveryView,
} from './delivery.view';

/** Paging and filters of a delivery log. */
export interface DeliveryListInput extends ListInput {
  /** Only deliveries in this status. */
  readonly status?: unknown;
  /** Only deliveries of events of this type (`user.created`) or wildcard (`user.*`, `*`). */
  readonly type?: unknown;
  /** Only deliveries to this endpoint. */
  readonly endpointId?: unknown;
}

/** Deliveries re-sent per transaction by a recovery. */
const RECOVER_PAGE_SIZE = 500;
/** Statuses in which a delivery is already queued; sending it again would race the queued attempt. */
const IN_FLIGHT: ReadonlySet<DeliveryStatus> = new Set<DeliveryStatus>(['pending', 'awaiting_retry']);

const DELIVERY_COLUMNS = `d.id, d.tenant_id, d.endpoint_id, d.event_id, e.type AS event_type,
  e.expunged_at AS event_expunged_at, d.status,
  d.attempt_count, d.next_attempt_at, d.last_status_code, d.last_response_body, d.last_response_time_ms,
  d.last_error, d.created_at, d.completed_at`;
// An event id published again on another day is another event: a delivery's is the latest row.
const DELIVERY_FROM = `deliveries d LEFT JOIN LATERAL (SELECT e.type, e.expunged_at FROM events e
  WHERE e.id = d.event_id AND e.tenant_id = d.tenant_id ORDER BY e.day DESC LIMIT 1) e ON true`;

/**
 * Delivery use cases: delivery logs, redelivery, recovery of failed deliveries and test events. Each
 * queues attempts on the delivery tasks topic, which the dispatcher consumes.
 *
 * Rows are committed before their task is produced, so the dispatcher never receives a task whose
 * delivery it cannot read yet. When Kafka refuses the task the rows are put back (or, for a test
 * event, marked failed so the delivery can be retried) and the caller gets `UnavailableError`.
 */
@Injectable()
export class DeliveriesService {
  private readonly logger = new Logger('DeliveriesService');

  constructor(
    private readonly dataSource: DataSource,
    private readonly tasks: DeliveryTaskWriter,
    private readonly metrics: SubscriptionMetrics,
    @Inject(SUBSCRIPTION_CONFIG) private readonly config: SubscriptionConfig,
  ) {}

  /** An endpoint's deliveries, newest first, filtered as `list` filters them. */
  listForEndpoint(
    tenantId: string,
    endpointId: string,
    input: DeliveryListInput,
  ): Promise<Page<DeliveryView>> {
    return this.list(tenantId, { ...input, endpointId });
  }

  /** An event's deliveries (one per endpoint it was owed to, and test deliveries), newest first. */
  listForEvent(tenantId: string, eventId: string, input: ListInput): Promise<Page<DeliveryView>> {
    return this.metrics.track('delivery', 'list', async () => {
      const errors = new FieldErrors();
      const paging = readPaging(input, errors);
      errors.throwIfAny();
      const event = await this.dataSource.query(
        'SELECT 1 FROM events WHERE id = $1 AND tenant_id = $2 LIMIT 1',
        [eventId, tenantId],
      );
      if (event.length === 0) throw new NotFoundError('event', eventId);
      return this.page(tenantId, { eventId }, paging, 'is not a delivery of this event');
    });
  }

  /**
   * The tenant's deliveries, newest first, filtered by endpoint, status, event type (or `group.*`
   * wildcard) and creation time: the one implementation behind every delivery log.
   */
  list(tenantId: string, input: DeliveryListInput): Promise<Page<DeliveryView>> {
    return this.metrics.track('delivery', 'list', async () => {
      const errors = new FieldErrors();
      const paging = readPaging(input, errors);
      const created = readCreatedRange(input, errors);
      let status: DeliveryStatus | undefined;
      if (input.status !== undefined) {
        if (
          typeof input.status === 'string' &&
          (DELIVERY_STATUSES as readonly string[]).includes(input.status)
        ) {
          status = input.status as DeliveryStatus;
        } else {
          errors.add('status', `must be one of ${DELIVERY_STATUSES.join(', ')}`);
        }
      }
      const type = readEventTypeFilter(input.type, errors);
      let endpointId: string | undefined;
      if (input.endpointId !== undefined) {
        if (typeof input.endpointId === 'string' && input.endpointId.length > 0)
          endpointId = input.endpointId;
        else errors.add('endpoint_id', 'must be the id of an endpoint');
      }
      errors.throwIfAny();
      if (endpointId) await this.requireEndpoint(tenantId, endpointId);
      return this.page(
        tenantId,
        { endpointId, status, type, created },
        paging,
        endpointId ? 'is not a delivery of this endpoint' : 'is not a delivery of this account',
      );
    });
  }

  /** One page of the tenant's deliveries matching `filter`, newest first, after the cursor. */
  private async page(
    tenantId: string,
    filter: {
      readonly endpointId?: string;
      readonly eventId?: string;
      readonly status?: DeliveryStatus;
      readonly type?: string;
      readonly created?: { readonly gte?: Date; readonly lte?: Date };
    },
    paging: { readonly limit: number; readonly startingAfter?: string },
    notInList: string,
  ): Promise<Page<DeliveryView>> {
    const where = ['d.tenant_id = $1'];
    const params: unknown[] = [tenantId];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.endpointId) where.push(`d.endpoint_id = ${param(filter.endpointId)}`);
    if (filter.eventId) where.push(`d.event_id = ${param(filter.eventId)}`);
    if (filter.status) where.push(`d.status = ${param(filter.status)}`);
    if (filter.type) where.push(eventTypeCondition('e.type', filter.type, param));
    if (filter.created?.gte) where.push(`d.created_at >= ${param(filter.created.gte)}`);
    if (filter.created?.lte) where.push(`d.created_at <= ${param(filter.created.lte)}`);
    if (paging.startingAfter) {
      const scope = ['c.id = $1', 'c.tenant_id = $2'];
      const scopeParams: unknown[] = [paging.startingAfter, tenantId];
      if (filter.endpointId) scope.push(`c.endpoint_id = $${scopeParams.push(filter.endpointId)}`);
      if (filter.eventId) scope.push(`c.event_id = $${scopeParams.push(filter.eventId)}`);
      const exists = await this.dataSource.query(
        `SELECT 1 FROM deliveries c WHERE ${scope.join(' AND ')}`,
        scopeParams,
      );
      if (exists.length === 0) throw new ValidationError([{ field: 'starting_after', message: notInList }]);
      // Compared in SQL: timestamps carry microseconds that a JavaScript Date would drop.
      const cursor = param(paging.startingAfter);
      where.push(
        `(d.created_at, d.id) < (SELECT c.created_at, c.id FROM deliveries c WHERE c.tenant_id = $1 AND c.id = ${cursor})`,
      );
    }
    const rows: DeliveryRow[] = await this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS} FROM ${DELIVERY_FROM} WHERE ${where.join(' AND ')}
       ORDER BY d.created_at DESC, d.id DESC LIMIT ${param(paging.limit + 1)}`,
      params,
    );
    return { items: rows.slice(0, paging.limit).map(toDeliveryView), hasMore: rows.length > paging.limit };
  }

  /** One delivery of the tenant with all its attempts. */
  get(tenantId: string, deliveryId: string): Promise<DeliveryDetail> {
    return this.metrics.track('delivery', 'get', async () => {
      const rows: DeliveryRow[] = await this.dataSource.query(
        `SELECT ${DELIVERY_COLUMNS} FROM ${DELIVERY_FROM} WHERE d.id = $1 AND d.tenant_id = $2`,
        [deliveryId, tenantId],
      );
      if (rows.length === 0) throw new NotFoundError('delivery', deliveryId);
      const attempts = await this.dataSource.getRepository(DeliveryAttemptEntity).find({
        where: { deliveryId, tenantId },
        order: { attemptNumber: 'ASC' },
      });
      return {
        ...toDeliveryView(rows[0]),
        attempts: attempts.map((attempt) => ({
          attempt: attempt.attemptNumber,
          statusCode: attempt.statusCode,
          durationMs: attempt.durationMs,
          errorClass: attempt.errorClass,
          errorMessage: attempt.errorMessage,
          startedAt: attempt.startedAt,
          finishedAt: attempt.finishedAt,
          requestHeaders: attempt.requestHeaders,
          responseHeaders: attempt.responseHeaders,
          responseBody: attempt.responseBodyExcerpt,
        })),
      };
    });
  }

  /**
   * Sends a finished delivery again as its next attempt (`attempt_count + 1`). A delivery still queued
   * (`pending`, `awaiting_retry`) is refused with `ConflictError`.
   */
  redeliver(tenantId: string, deliveryId: string): Promise<QueuedDelivery> {
    return this.metrics.track('delivery', 'redeliver', async () => {
      const claimed = await this.dataSource.transaction(async (manager) => {
        const rows: DeliveryRow[] = await manager.query(
          `SELECT ${DELIVERY_COLUMNS} FROM ${DELIVERY_FROM} WHERE d.id = $1 AND d.tenant_id = $2 FOR UPDATE OF d`,
          [deliveryId, tenantId],
        );
        if (rows.length === 0) throw new NotFoundError('delivery', deliveryId);
        const row = rows[0];
        if (IN_FLIGHT.has(row.status)) {
          throw new ConflictError(`Delivery ${deliveryId} is ${row.status}; it is already queued`);
        }
        if (row.event_expunged_at !== null) {
          throw new ConflictError(
            `The event of delivery ${deliveryId} was expunged; it cannot be sent again`,
          );
        }
        if (row.event_type === null) {
          throw new ConflictError(
            `The event of delivery ${deliveryId} is no longer stored; it cannot be sent again`,
          );
        }
        await manager.query(
          `UPDATE deliveries SET status = 'pending', next_attempt_at = now(), completed_at = NULL, updated_at = now()
           WHERE id = $1`,
          [deliveryId],
        );
        return row;
      });
      const task = attemptTask(claimed, claimed.event_type as string, claimed.attempt_count + 1);
      try {
        await this.tasks.write('redeliver', [task]);
      } catch (error) {
        await this.dataSource.query(
          `UPDATE deliveries SET status = $2, next_attempt_at = $3, completed_at = $4, updated_at = now()
           WHERE id = $1 AND status = 'pending' AND attempt_count = $5`,
          [deliveryId, claimed.status, claimed.next_attempt_at, claimed.completed_at, claimed.attempt_count],
        );
        throw this.unavailable(error);
      }
      return queued(task);
    });
  }

  /**
   * Sends every `failed` delivery of an endpoint created in `[since, until]` again, one task each, and
   * returns how many. Deliveries whose event is no longer stored (or was expunged) cannot be sent and
   * are left alone.
   */
  recover(tenantId: string, endpointId: string, input: unknown): Promise<{ readonly count: number }> {
    return this.metrics.track('delivery', 'recover', async () => {
      const errors = new FieldErrors();
      const body = readBody(input, errors);
      checkKnownFields(body, new Set(['since', 'until']), errors);
      if (body.since === undefined) errors.add('since', 'is required');
      const since = readInstant(body.since, 'since', errors);
      const until = body.until === undefined ? new Date() : readInstant(body.until, 'until', errors);
      if (since && until && since.getTime() > until.getTime())
        errors.add('until', 'must not be before since');
      errors.throwIfAny();
      await this.requireEndpoint(tenantId, endpointId);

      let count = 0;
      for (;;) {
        const claimed = await this.dataSource.transaction(async (manager) => {
          const rows: DeliveryRow[] = await manager.query(
            `SELECT ${DELIVERY_COLUMNS} FROM ${DELIVERY_FROM}
             WHERE d.tenant_id = $1 AND d.endpoint_id = $2 AND d.status = 'failed'
               AND e.type IS NOT NULL AND e.expunged_at IS NULL
               AND d.created_at >= $3 AND d.created_at <= $4
             ORDER BY d.created_at, d.id LIMIT ${RECOVER_PAGE_SIZE} FOR UPDATE OF d`,
            [tenantId, endpointId, since, until],
          );
          if (rows.length > 0) {
            await manager.query(
              `UPDATE deliveries SET status = 'pending', next_attempt_at = now(), completed_at = NULL, updated_at = now()
               WHERE id = ANY($1)`,
              [rows.map((row) => row.id)],
            );
          }
          return rows;
        });
        if (claimed.length === 0) return { count };
        const tasks = claimed.map((row) => attemptTask(row, row.event_type as string, row.attempt_count + 1));
        try {
          await this.tasks.write('recover', tasks);
        } catch (error) {
          await this.dataSource.query(
            `UPDATE deliveries SET status = 'failed', updated_at = now() WHERE id = ANY($1) AND status = 'pending'`,
            [claimed.map((row) => row.id)],
          );
          throw this.unavailable(error, count);
        }
        count += tasks.length;
        if (claimed.length < RECOVER_PAGE_SIZE) return { count };
      }
    });
  }

  /**
   * Sends a test event to one endpoint: stores the event (`livemode: false`) and a pending delivery,
   * then queues its first attempt. `type` defaults to the first catalogue type the endpoint's first
   * subscription selects, `data` to that type's sample.
   */
  sendTestEvent(tenantId: string, endpointId: string, input: unknown): Promise<QueuedDelivery> {
    return this.metrics.track('event', 'send_test', async () => {
      const endpoint = await this.dataSource
        .getRepository(EndpointEntity)
        .findOneBy({ id: endpointId, tenantId });
      if (!endpoint) throw new NotFoundError('webhook', endpointId);
      const { type, data } = parseTestEvent(input, endpoint.events);

      const { preset } = this.config;
      // The envelope states whole seconds; the row holds the same instant so listings and bodies agree.
      const createdAt = new Date(Math.floor(Date.now() / 1000) * 1000);
      const eventId = newEventId();
      const requestId = newResourceId('request');
      const { pending_webhooks: _pending, ...payload } = renderWebhookEvent(
        {
          id: eventId,
          type,
          createdAt,
          apiVersion: preset.apiVersion,
          data,
          livemode: false,
          request: { id: requestId, idempotency_key: null },
        },
        preset.createdFormat,
      );
      const deliveryId = newResourceId('delivery');
      await this.dataSource.transaction(async (manager) => {
        await manager.query(
          `INSERT INTO events (id, tenant_id, type, api_version, created_at, livemode, payload, request_id)
           VALUES ($1, $2, $3, $4, $5, false, $6, $7)`,
          [eventId, tenantId, type, preset.apiVersion, createdAt, JSON.stringify(payload), requestId],
        );
        await manager.getRepository(DeliveryEntity).insert({
          id: deliveryId,
          tenantId,
          endpointId,
          eventId,
          status: 'pending',
          attemptCount: 0,
          nextAttemptAt: createdAt,
        });
      });
      const task: DeliveryAttemptTask = {
        kind: 'delivery',
        v: 1,
        deliveryId,
        eventId,
        eventType: type,
        tenantId,
        endpointId,
        attempt: 1,
      };
      try {
        await this.tasks.write('test', [task]);
      } catch (error) {
        // Kept rather than deleted: the failed delivery shows in the log and can be redelivered.
        await this.dataSource.query(
          `UPDATE deliveries SET status = 'failed', last_error = $2, completed_at = now(), updated_at = now()
           WHERE id = $1 AND status = 'pending'`,
          [deliveryId, 'the test delivery could not be queued'],
        );
        throw this.unavailable(error);
      }
      return queued(task);
    });
  }

  private async requireEndpoint(tenantId: string, endpointId: string): Promise<void> {
    const exists = await this.dataSource.getRepository(EndpointEntity).existsBy({ id: endpointId, tenantId });
    if (!exists) throw new NotFoundError('webhook', endpointId);
  }

  private unavailable(error: unknown, alreadyQueued?: number): UnavailableError {
    this.logger.warn(`queueing a delivery failed: ${(error as Error).message}`);
    const progress = alreadyQueued ? ` (${alreadyQueued} were queued before the failure)` : '';
    return new UnavailableError(`The delivery could not be queued${progress}. Try again shortly.`);
  }
}

function attemptTask(row: DeliveryRow, eventType: string, attempt: number): DeliveryAttemptTask {
  return {
    kind: 'delivery',
    v: 1,
    deliveryId: row.id,
    eventId: row.event_id,
    eventType,
    tenantId: row.tenant_id,
    endpointId: row.endpoint_id,
    attempt,
  };
}

function queued(task: DeliveryAttemptTask): QueuedDelivery {
  return {
    deliveryId: task.deliveryId,
    eventId: task.eventId,
    eventType: task.eventType,
    endpointId: task.endpointId,
    attempt: task.attempt,
  };
}

/** Validates a test event request against the catalogue; absent parts default as documented. */
function parseTestEvent(
  input: unknown,
  subscriptions: readonly string[],
): { type: string; data: Record<string, unknown> } {
  const errors = new FieldErrors();
  // `null`, and an empty `data` that generated clients send when it is unset, mean "not given".
  const body = withoutAbsentFields(readBody(input, errors), ['data']);
  checkKnownFields(body, new Set(['type', 'data']), errors);
  let type = subscriptions.length > 0 ? expandEventTypePattern(subscriptions[0])[0] : undefined;
  if (body.type !== undefined) {
    type = typeof body.type === 'string' && findEventType(body.type) ? body.type : undefined;
    if (!type) errors.add('type', 'must be an event type of the catalogue (see GET /v1/event-types)');
  }
  errors.throwIfAny();
  const definition = findEventType(type ?? '');
  if (!definition) throw new ValidationError([{ field: 'type', message: 'is required for this endpoint' }]);
  if (body.data === undefined) return { type: definition.type, data: structuredClone(definition.sample) };
  const checked = validateEventData(definition.type, body.data);
  if (!checked.ok) throw new ValidationError(checked.errors);
  return { type: definition.type, data: checked.value };
}
