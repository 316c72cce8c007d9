import { Inject, Injectable } from '@nestjs/common';
import {
  catalogue,
  type EventTypeDefinition,
  isValidEventTypePattern,
  MATCH_ALL,
  renderWebhookEvent,
} from '@hookline/events';
import { DataSource } from 'typeorm';
import { FieldErrors, NotFoundError, ValidationError } from '../errors/domain.errors';
import { type ListInput, type Page, readCreatedRange, readPaging } from '../listing/list-input';
import type { SubscriptionConfig } from '../config';
import { SubscriptionMetrics } from '../metrics/subscription.metrics';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';

/** Paging and filters of the event list. */
export interface EventListInput extends ListInput {
  /** An event type (`user.created`) or a wildcard (`user.*`, `*`). */
  readonly type?: unknown;
}

/**
 * A stored event: its envelope exactly as delivered (without the per-delivery `pending_webhooks`).
 * Once expunged, the envelope keeps its metadata and `data` is empty.
 */
export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly createdAt: Date;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly expungedAt: Date | null;
}

/** What expunging an event did. */
export interface ExpungedEvent {
  readonly id: string;
  readonly expungedAt: Date;
  /** Deliveries that were still to be attempted and will not be. */
  readonly deliveriesStopped: number;
}

interface EventRow {
  id: string;
  type: string;
  created_at: Date;
  payload: Record<string, unknown> | null;
  api_version: string;
  livemode: boolean;
  request_id: string | null;
  idempotency_key: string | null;
  expunged_at: Date | null;
}

const EVENT_COLUMNS =
  'id, type, created_at, payload, api_version, livemode, request_id, idempotency_key, expunged_at';

/** Event use cases: the event-type catalogue and the tenant's stored events. */
@Injectable()
export class EventsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: SubscriptionMetrics,
    @Inject(SUBSCRIPTION_CONFIG) private readonly config: SubscriptionConfig,
  ) {}

  /** Every event type endpoints may subscribe to, in catalogue order. */
  listEventTypes(): readonly EventTypeDefinition[] {
    return catalogue;
  }

  /** The tenant's events, newest first, filtered by type and creation time. */
  listEvents(tenantId: string, input: EventListInput): Promise<Page<StoredEvent>> {
    return this.metrics.track('event', 'list', async () => {
      const errors = new FieldErrors();
      const paging = readPaging(input, errors);
      const created = readCreatedRange(input, errors);
      let type: string | undefined;
      if (input.type !== undefined) {
        if (typeof input.type === 'string' && isValidEventTypePattern(input.type)) type = input.type;
        else errors.add('type', 'must be an event type of the catalogue or a wildcard such as user.*');
      }
      errors.throwIfAny();

      const where = ['tenant_id = $1'];
      const params: unknown[] = [tenantId];
      const param = (value: unknown): string => {
        params.push(value);
        return `$${params.length}`;
      };
      if (type && type !== MATCH_ALL) {
        if (type.endsWith('.*')) {
          const prefix = param(type.slice(0, -1));
          where.push(`left(type, length(${prefix})) = ${prefix}`);
        } else {
          where.push(`type = ${param(type)}`);
        }
      }
      if (created.gte) where.push(`created_at >= ${param(created.gte)}`);
      if (created.lte) where.push(`created_at <= ${param(created.lte)}`);
      if (paging.startingAfter) {
        const exists = await this.dataSource.query('SELECT 1 FROM events WHERE id = $1 AND tenant_id = $2', [
          paging.startingAfter,
          tenantId,
        ]);
        if (exists.length === 0) {
          throw new ValidationError([
            { field: 'starting_after', message: 'is not an event of this account' },
          ]);
        }
        // Producers may choose their own event ids, so ids alone do not sort by time.
        const cursor = param(paging.startingAfter);
        where.push(
          `(created_at, id) < (SELECT c.created_at, c.id FROM events c WHERE c.tenant_id = $1 AND c.id = ${cursor})`,
        );
      }
      const rows: EventRow[] = await this.dataSource.query(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.join(' AND ')}
         ORDER BY created_at DESC, id DESC LIMIT ${param(paging.limit + 1)}`,
        params,
      );
      return {
        items: rows.slice(0, paging.limit).map((row) => this.toStoredEvent(row)),
        hasMore: rows.length > paging.limit,
      };
    });
  }

  /** One event of the tenant (its latest publication, if its id was published on several days). */
  getEvent(tenantId: string, id: string): Promise<StoredEvent> {
    return this.metrics.track('event', 'get', async () => {
      const rows: EventRow[] = await this.dataSource.query(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE id = $1 AND tenant_id = $2 ORDER BY day DESC LIMIT 1`,
        [id, tenantId],
      );
      if (rows.length === 0) throw new NotFoundError('event', id);
      return this.toStoredEvent(rows[0]);
    });
  }

  /**
   * Erases an event's payload and every stored response body of its deliveries, keeping the event's
   * metadata, its deliveries and their attempts (status codes, timings, headers). Deliveries still
   * to be attempted are closed as `skipped`, and redelivering any of them is refused from then on.
   * Idempotent: expunging again keeps the first time.
   */
  expungeEvent(tenantId: string, id: string): Promise<ExpungedEvent> {
    return this.metrics.track('event', 'expunge', () =>
      this.dataSource.transaction(async (manager) => {
        const events: Array<{ expunged_at: Date }> = await manager.query(
          // A SELECT around each UPDATE: TypeORM answers a bare UPDATE with [rows, count], not rows.
          `WITH erased AS (UPDATE events SET payload = NULL, expunged_at = COALESCE(expunged_at, now())
             WHERE tenant_id = $1 AND id = $2 RETURNING expunged_at)
           SELECT expunged_at FROM erased`,
          [tenantId, id],
        );
        if (events.length === 0) throw new NotFoundError('event', id);
        const deliveries: Array<{ id: string; stopped: boolean }> = await manager.query(
          `WITH closed AS (UPDATE deliveries d SET last_response_body = NULL,
             status = CASE WHEN d.status IN ('pending', 'awaiting_retry') THEN 'skipped' ELSE d.status END,
             last_error = CASE WHEN d.status IN ('pending', 'awaiting_retry') THEN $3 ELSE d.last_error END,
             completed_at = CASE WHEN d.status IN ('pending', 'awaiting_retry') THEN now() ELSE d.completed_at END,
             next_attempt_at = CASE WHEN d.status IN ('pending', 'awaiting_retry') THEN NULL ELSE d.next_attempt_at END,
             updated_at = now()
           FROM (SELECT id, status IN ('pending', 'awaiting_retry') AS stopped FROM deliveries
                 WHERE tenant_id = $1 AND event_id = $2 ORDER BY id FOR UPDATE) old
           WHERE d.id = old.id
           RETURNING d.id, old.stopped)
           SELECT id, stopped FROM closed`,
          [tenantId, id, 'the event was expunged'],
        );
        if (deliveries.length > 0) {
          await manager.query(
            `UPDATE delivery_attempts SET response_body_excerpt = NULL
             WHERE delivery_id = ANY($1) AND tenant_id = $2 AND response_body_excerpt IS NOT NULL`,
            [deliveries.map((d) => d.id), tenantId],
          );
        }
        return {
          id,
          expungedAt: events.map((e) => e.expunged_at).sort((a, b) => a.getTime() - b.getTime())[0],
          deliveriesStopped: deliveries.filter((d) => d.stopped).length,
        };
      }),
    );
  }

  private toStoredEvent(row: EventRow): StoredEvent {
    const payload =
      row.payload ??
      // Expunged: the envelope's metadata only.
      renderWebhookEvent(
        {
          id: row.id,
          type: row.type,
          createdAt: row.created_at,
          apiVersion: row.api_version,
          data: {},
          livemode: row.livemode,
          request: { id: row.request_id, idempotency_key: row.idempotency_key },
        },
        this.config.preset.createdFormat,
      );
    const { pending_webhooks: _pending, ...envelope } = payload as Record<string, unknown>;
    return {
      id: row.id,
      type: row.type,
      createdAt: row.created_at,
      payload: row.payload ?? envelope,
      expungedAt: row.expunged_at,
    };
  }
}
