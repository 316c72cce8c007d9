import type { DataSource } from 'typeorm';
import { BatchWriter, placeholders } from './batch-writer';

/** An event as it is stored for the events API and for later attempts (retries, redeliveries). */
export interface EventRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly type: string;
  readonly apiVersion: string;
  readonly createdAt: Date;
  readonly livemode: boolean;
  /** The envelope without `pending_webhooks`. */
  readonly payload: Record<string, unknown>;
  readonly requestId: string | null;
  readonly idempotencyKey: string | null;
}

const EVENT_COLUMNS = 9;
const MAX_ROWS_PER_STATEMENT = Math.floor(65_535 / EVENT_COLUMNS);

/** Stores events in batches; storing the same event again changes nothing. */
export class BatchingEventRecorder {
  private readonly writer: BatchWriter<EventRecord>;

  constructor(
    dataSource: DataSource,
    options: {
      maxBatchRows?: number;
      flushIntervalMs?: number;
      onBatchWritten?: (rows: number, seconds: number) => void;
    } = {},
  ) {
    this.writer = new BatchWriter((events) => insertEvents(dataSource, events), {
      maxBatchRows: Math.min(Math.max(1, options.maxBatchRows ?? 500), MAX_ROWS_PER_STATEMENT),
      flushIntervalMs: Math.max(0, options.flushIntervalMs ?? 20),
      ...(options.onBatchWritten ? { onBatchWritten: options.onBatchWritten } : {}),
    });
  }

  /** Queues the event; resolves once it is durable. */
  record(event: EventRecord): Promise<void> {
    return this.writer.add(event);
  }

  /** Writes what is queued and refuses further events. */
  close(): Promise<void> {
    return this.writer.close();
  }
}

async function insertEvents(dataSource: DataSource, events: EventRecord[]): Promise<void> {
  const unique = [...new Map(events.map((e) => [e.id, e])).values()];
  const params: unknown[] = [];
  const rows = unique.map((e) =>
    placeholders(
      params,
      [
        e.id,
        e.tenantId,
        e.type,
        e.apiVersion,
        e.createdAt,
        e.livemode,
        JSON.stringify(e.payload),
        e.requestId,
        e.idempotencyKey,
      ],
      { 6: '::jsonb' },
    ),
  );
  await dataSource.query(
    `INSERT INTO events (id, tenant_id, type, api_version, created_at, livemode, payload, request_id, idempotency_key)
     VALUES ${rows.join(', ')}
     ON CONFLICT (id) DO NOTHING`,
    params,
  );
}
