import type { DataSource, EntityManager } from 'typeorm';
import { isTerminalDeliveryStatus } from '../delivery-status';
import type { AttemptRecord, AttemptRecorder } from './attempt-recorder';
import { errorMessageExcerpt, redactHeaders, utf8Excerpt } from './attempt-sanitizer';
import { BatchWriter, placeholders } from './batch-writer';

/** When a BatchingAttemptRecorder writes. */
export interface BatchingAttemptRecorderOptions {
  /** Write as soon as this many attempts are queued (default 200). */
  maxBatchRows?: number;
  /** Write queued attempts at most this long after the first was queued (default 50 ms). */
  flushIntervalMs?: number;
  /** Told how long each batch took to write, for metrics. */
  onBatchWritten?: (rows: number, seconds: number) => void;
}

const ATTEMPT_COLUMNS = 14;
// Postgres allows 65535 bind parameters per statement.
const MAX_ROWS_PER_STATEMENT = Math.floor(65_535 / ATTEMPT_COLUMNS);

/**
 * Writes attempts in batches: one transaction per batch, with one multi-row upsert of the
 * deliveries' state and one multi-row insert of the attempts. A dispatcher sending hundreds of
 * requests a second would otherwise spend a round trip and a commit on each.
 */
export class BatchingAttemptRecorder implements AttemptRecorder {
  private readonly writer: BatchWriter<AttemptRecord>;

  constructor(dataSource: DataSource, options: BatchingAttemptRecorderOptions = {}) {
    this.writer = new BatchWriter(
      (attempts) => dataSource.transaction((manager) => writeBatch(manager, attempts)),
      {
        maxBatchRows: Math.min(Math.max(1, options.maxBatchRows ?? 200), MAX_ROWS_PER_STATEMENT),
        flushIntervalMs: Math.max(0, options.flushIntervalMs ?? 50),
        ...(options.onBatchWritten ? { onBatchWritten: options.onBatchWritten } : {}),
      },
    );
  }

  /** Queues the attempt; resolves once it is durable. */
  record(attempt: AttemptRecord): Promise<void> {
    return this.writer.add(attempt);
  }

  /** Writes everything queued so far; resolves when it is durable, rejects if any of it failed. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Writes what is queued and refuses further attempts. */
  close(): Promise<void> {
    return this.writer.close();
  }
}

async function writeBatch(manager: EntityManager, batch: AttemptRecord[]): Promise<void> {
  const attempts = uniqueAttempts(batch);
  // Rows are locked in id order so that concurrent writers cannot deadlock.
  const latest = latestPerDelivery(attempts).sort((a, b) => compare(a.deliveryId, b.deliveryId));
  await upsertDeliveries(manager, latest);
  await insertAttempts(manager, attempts);
}

/** One row per (delivery, attempt number): a statement may not touch the same row twice. */
function uniqueAttempts(batch: AttemptRecord[]): AttemptRecord[] {
  const byKey = new Map<string, AttemptRecord>();
  for (const attempt of batch) {
    const key = `${attempt.deliveryId}\u0000${attempt.attemptNumber}`;
    if (!byKey.has(key)) byKey.set(key, attempt);
  }
  return [...byKey.values()].sort(
    (a, b) => compare(a.deliveryId, b.deliveryId) || a.attemptNumber - b.attemptNumber,
  );
}

function latestPerDelivery(attempts: AttemptRecord[]): AttemptRecord[] {
  const latest = new Map<string, AttemptRecord>();
  for (const attempt of attempts) {
    const seen = latest.get(attempt.deliveryId);
    if (!seen || attempt.attemptNumber > seen.attemptNumber) latest.set(attempt.deliveryId, attempt);
  }
  return [...latest.values()];
}

async function upsertDeliveries(manager: EntityManager, attempts: AttemptRecord[]): Promise<void> {
  const params: unknown[] = [];
  const rows = attempts.map((a) =>
    placeholders(params, [
      a.deliveryId,
      a.tenantId,
      a.endpointId,
      a.eventId,
      a.deliveryStatus,
      a.attemptNumber,
      a.nextAttemptAt,
      a.statusCode,
      a.responseBody === null ? null : utf8Excerpt(a.responseBody),
      Math.max(0, Math.round(a.durationMs)),
      a.errorMessage === null ? null : errorMessageExcerpt(a.errorMessage),
      isTerminalDeliveryStatus(a.deliveryStatus) ? a.finishedAt : null,
    ]),
  );
  // An attempt older than the delivery's latest (a redelivered message) must not roll its state back.
  await manager.query(
    `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempt_count, next_attempt_at,
       last_status_code, last_response_body, last_response_time_ms, last_error, completed_at)
     VALUES ${rows.join(', ')}
     ON CONFLICT (id) DO UPDATE SET
       status = excluded.status,
       attempt_count = excluded.attempt_count,
       next_attempt_at = excluded.next_attempt_at,
       last_status_code = excluded.last_status_code,
       last_response_body = excluded.last_response_body,
       last_response_time_ms = excluded.last_response_time_ms,
       last_error = excluded.last_error,
       completed_at = excluded.completed_at,
       updated_at = now()
     WHERE deliveries.attempt_count <= excluded.attempt_count`,
    params,
  );
}

async function insertAttempts(manager: EntityManager, attempts: AttemptRecord[]): Promise<void> {
  const params: unknown[] = [];
  const rows = attempts.map((a) =>
    placeholders(
      params,
      [
        a.deliveryId,
        a.tenantId,
        a.endpointId,
        a.eventId,
        a.attemptNumber,
        JSON.stringify(redactHeaders(a.requestHeaders)),
        a.statusCode,
        a.responseHeaders === null ? null : JSON.stringify(redactHeaders(a.responseHeaders)),
        a.responseBody === null ? null : utf8Excerpt(a.responseBody),
        Math.max(0, Math.round(a.durationMs)),
        a.errorClass,
        a.errorMessage === null ? null : errorMessageExcerpt(a.errorMessage),
        a.startedAt,
        a.finishedAt,
      ],
      { 5: '::jsonb', 7: '::jsonb' },
    ),
  );
  await manager.query(
    `INSERT INTO delivery_attempts (delivery_id, tenant_id, endpoint_id, event_id, attempt_number,
       request_headers, status_code, response_headers, response_body_excerpt, duration_ms,
       error_class, error_message, started_at, finished_at)
     VALUES ${rows.join(', ')}
     ON CONFLICT (delivery_id, attempt_number) DO NOTHING`,
    params,
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
