import { Injectable } from '@nestjs/common';
import { catalogue, type EventTypeDefinition, isValidEventTypePattern, MATCH_ALL } from '@hookline/events';
import { DataSource } from 'typeorm';
import { FieldErrors, NotFoundError, ValidationError } from '../errors/domain.errors';
import { type ListInput, type Page, readCreatedRange, readPaging } from '../listing/list-input';
import { SubscriptionMetrics } from '../metrics/subscription.metrics';

/** Paging and filters of the event list. */
export interface EventListInput extends ListInput {
  /** An event type (`user.created`) or a wildcard (`user.*`, `*`). */
  readonly type?: unknown;
}

/** A stored event: its envelope exactly as delivered (without the per-delivery `pending_webhooks`). */
export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly createdAt: Date;
  readonly payload: Readonly<Record<string, unknown>>;
}

interface EventRow {
  id: string;
  type: string;
  created_at: Date;
  payload: Record<string, unknown>;
}

/** Event use cases: the event-type catalogue and the tenant's stored events. */
@Injectable()
export class EventsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: SubscriptionMetrics,
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
        `SELECT id, type, created_at, payload FROM events WHERE ${where.join(' AND ')}
         ORDER BY created_at DESC, id DESC LIMIT ${param(paging.limit + 1)}`,
        params,
      );
      return { items: rows.slice(0, paging.limit).map(toStoredEvent), hasMore: rows.length > paging.limit };
    });
  }

  /** One event of the tenant. */
  getEvent(tenantId: string, id: string): Promise<StoredEvent> {
    return this.metrics.track('event', 'get', async () => {
      const rows: EventRow[] = await this.dataSource.query(
        'SELECT id, type, created_at, payload FROM events WHERE id = $1 AND tenant_id = $2',
        [id, tenantId],
      );
      if (rows.length === 0) throw new NotFoundError('event', id);
      return toStoredEvent(rows[0]);
    });
  }
}

function toStoredEvent(row: EventRow): StoredEvent {
  return { id: row.id, type: row.type, createdAt: row.created_at, payload: row.payload };
}
