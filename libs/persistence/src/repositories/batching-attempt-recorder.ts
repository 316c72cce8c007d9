import type { DataSource, EntityManager } from 'typeorm';
import { isTerminalDeliveryStatus } from '../delivery-status';
import type { AttemptRecord, AttemptRecorder, DeferralRecord } from './attempt-recorder';
import { errorMessageExcerpt, redactHeaders, redactRequestHeaders, utf8Excerpt } from './attempt-sanitizer';
import { BatchWriter } from './batch-writer';
import { addToEndpointStats } from './endpoint-stats.repository';
import { withDayPartitions } from '../retention/day-partitions';
import { deliveryIdDay } from '../retention/record-day';

/** When a BatchingAttemptRecorder writes. */
export interface BatchingAttemptRecorderOptions {
  /** Write as soon as this many records are queued (default 200). */
  maxBatchRows?: number;
  /** Longest wait before queued records are written while another batch is being written (default 50 ms). */
  flushIntervalMs?: number;
  /** Told how long each batch took to write, for metrics. */
  onBatchWritten?: (rows: number, seconds: number) => void;
  /** The process whose claims deferrals release; deferrals of another owner's claim change nothing. */
  owner?: string;
}

type Item =
  | { readonly kind: 'attempt'; readonly record: AttemptRecord }
  | { readonly kind: 'deferral'; readonly record: DeferralRecord };

/**
 * Writes attempts in batches: one transaction per batch, with one upsert of the deliveries' state
 * and one insert of the attempts, each a single statement over arrays. A dispatcher sending hundreds
 * of requests a second would otherwise spend a round trip and a commit on each. The same transaction
 * adds the attempts it inserted to the per-endpoint statistics (`addToEndpointStats`).
 */
export class BatchingAttemptRecorder implements AttemptRecorder {
  private readonly writer: BatchWriter<Item>;

  constructor(dataSource: DataSource, options: BatchingAttemptRecorderOptions = {}) {
    const owner = options.owner ?? null;
    this.writer = new BatchWriter(
      (items) =>
        withDayPartitions(
          dataSource,
          () => items.flatMap((item) => deliveryIdDay(item.record.deliveryId) ?? []),
          () => dataSource.transaction((manager) => writeBatch(manager, items, owner)),
        ),
      {
        maxBatchRows: Math.max(1, options.maxBatchRows ?? 200),
        flushIntervalMs: Math.max(0, options.flushIntervalMs ?? 50),
        ...(options.onBatchWritten ? { onBatchWritten: options.onBatchWritten } : {}),
      },
    );
  }

  /** Queues the attempt; resolves once it is durable. */
  record(attempt: AttemptRecord): Promise<void> {
    return this.writer.add({ kind: 'attempt', record: attempt });
  }

  /** Queues the deferral; resolves once it is durable. */
  defer(deferral: DeferralRecord): Promise<void> {
    return this.writer.add({ kind: 'deferral', record: deferral });
  }

  /** Writes everything queued so far; resolves when it is durable, rejects if any of it failed. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Writes what is queued and refuses further records. */
  close(): Promise<void> {
    return this.writer.close();
  }
}

async function writeBatch(manager: EntityManager, items: Item[], owner: string | null): Promise<void> {
  const attempts = uniqueSends(items.flatMap((item) => (item.kind === 'attempt' ? [item.record] : [])));
  // Rows are locked in id order so that concurrent writers cannot deadlock.
  const latest = latestPerDelivery(attempts).sort((a, b) => compare(a.deliveryId, b.deliveryId));
  if (latest.length > 0) await upsertDeliveries(manager, latest);
  const inserted = attempts.length > 0 ? await insertAttempts(manager, attempts) : [];
  const deferrals = items.flatMap((item) => (item.kind === 'deferral' ? [item.record] : []));
  if (deferrals.length > 0) await deferDeliveries(manager, deferrals, owner);
  // Only the sends this batch wrote: one recorded again (a retried batch) is already counted. Last,
  // because every dispatcher sending to an endpoint updates the same rollup row: it is locked only
  // until the commit.
  await addToEndpointStats(manager, inserted);
}

/** One row per send: a retried write of the same batch item must not count twice. */
function uniqueSends(attempts: AttemptRecord[]): AttemptRecord[] {
  const bySend = new Map<string, AttemptRecord>();
  for (const attempt of attempts) if (!bySend.has(attempt.sendId)) bySend.set(attempt.sendId, attempt);
  return [...bySend.values()].sort(
    (a, b) => compare(a.deliveryId, b.deliveryId) || a.attemptNumber - b.attemptNumber,
  );
}

// The record a delivery's row ends up with: its highest attempt, and of several sends of that
// attempt the one that succeeded if any did (a delivery that succeeded stays succeeded).
function latestPerDelivery(attempts: AttemptRecord[]): AttemptRecord[] {
  const latest = new Map<string, AttemptRecord>();
  for (const attempt of attempts) {
    const seen = latest.get(attempt.deliveryId);
    if (
      !seen ||
      attempt.attemptNumber > seen.attemptNumber ||
      (attempt.attemptNumber === seen.attemptNumber && attempt.deliveryStatus === 'succeeded')
    ) {
      latest.set(attempt.deliveryId, attempt);
    }
  }
  return [...latest.values()];
}

async function upsertDeliveries(manager: EntityManager, attempts: AttemptRecord[]): Promise<void> {
  const column = <T>(pick: (a: AttemptRecord) => T): T[] => attempts.map(pick);
  // An attempt older than the delivery's latest (a redelivered message) must not roll its state
  // back, and nothing after a success may undo it: a redelivery first sets the row to pending.
  await manager.query(
    `INSERT INTO deliveries AS d (id, tenant_id, endpoint_id, event_id, status, attempt_count, next_attempt_at,
       last_status_code, last_response_body, last_response_time_ms, last_error, completed_at, claim_token)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
       $7::timestamptz[], $8::int[], $9::text[], $10::int[], $11::text[], $12::timestamptz[], $13::text[])
     ON CONFLICT (id) DO UPDATE SET
       status = excluded.status,
       attempt_count = excluded.attempt_count,
       next_attempt_at = excluded.next_attempt_at,
       last_status_code = excluded.last_status_code,
       last_response_body = excluded.last_response_body,
       last_response_time_ms = excluded.last_response_time_ms,
       last_error = excluded.last_error,
       completed_at = excluded.completed_at,
       claimed_by = NULL,
       claimed_until = NULL,
       claim_token = excluded.claim_token,
       updated_at = now()
     WHERE d.attempt_count <= excluded.attempt_count AND d.status <> 'succeeded'`,
    [
      column((a) => a.deliveryId),
      column((a) => a.tenantId),
      column((a) => a.endpointId),
      column((a) => a.eventId),
      column((a) => a.deliveryStatus),
      column((a) => a.attemptNumber),
      column((a) => a.nextAttemptAt),
      column((a) => a.statusCode),
      column((a) => (a.responseBody === null ? null : utf8Excerpt(a.responseBody))),
      column((a) => Math.max(0, Math.round(a.durationMs))),
      column((a) => (a.errorMessage === null ? null : errorMessageExcerpt(a.errorMessage))),
      column((a) => (isTerminalDeliveryStatus(a.deliveryStatus) ? a.finishedAt : null)),
      column((a) => a.claimToken),
    ],
  );
}

/** Inserts the attempts not yet stored; returns those it inserted. */
async function insertAttempts(manager: EntityManager, attempts: AttemptRecord[]): Promise<AttemptRecord[]> {
  const column = <T>(pick: (a: AttemptRecord) => T): T[] => attempts.map(pick);
  const rows: Array<{ send_id: string }> = await manager.query(
    `INSERT INTO delivery_attempts (send_id, delivery_id, tenant_id, endpoint_id, event_id, attempt_number,
       request_headers, status_code, response_headers, response_body_excerpt, duration_ms,
       error_class, error_message, started_at, finished_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::jsonb[],
       $8::int[], $9::jsonb[], $10::text[], $11::int[], $12::text[], $13::text[], $14::timestamptz[],
       $15::timestamptz[])
     ON CONFLICT (delivery_id, send_id) DO NOTHING
     RETURNING send_id`,
    [
      column((a) => a.sendId),
      column((a) => a.deliveryId),
      column((a) => a.tenantId),
      column((a) => a.endpointId),
      column((a) => a.eventId),
      column((a) => a.attemptNumber),
      column((a) => JSON.stringify(redactRequestHeaders(a.requestHeaders, a.customHeaderNames))),
      column((a) => a.statusCode),
      column((a) => (a.responseHeaders === null ? null : JSON.stringify(redactHeaders(a.responseHeaders)))),
      column((a) => (a.responseBody === null ? null : utf8Excerpt(a.responseBody))),
      column((a) => Math.max(0, Math.round(a.durationMs))),
      column((a) => a.errorClass),
      column((a) => (a.errorMessage === null ? null : errorMessageExcerpt(a.errorMessage))),
      column((a) => a.startedAt),
      column((a) => a.finishedAt),
    ],
  );
  const written = new Set(rows.map((row) => row.send_id));
  return attempts.filter((attempt) => written.has(attempt.sendId));
}

async function deferDeliveries(
  manager: EntityManager,
  deferrals: DeferralRecord[],
  owner: string | null,
): Promise<void> {
  const sorted = [...new Map(deferrals.map((d) => [d.deliveryId, d])).values()].sort((a, b) =>
    compare(a.deliveryId, b.deliveryId),
  );
  // Only this process's own claim is released: a claim another process took meanwhile stands.
  await manager.query(
    `UPDATE deliveries d SET next_attempt_at = u.next_attempt_at, last_error = u.reason,
       claimed_by = NULL, claimed_until = NULL, updated_at = now()
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
       AS u(id, tenant_id, token, reason, next_attempt_at)
     WHERE d.id = u.id AND d.tenant_id = u.tenant_id AND d.claim_token = u.token
       AND ($6::text IS NULL OR d.claimed_by = $6::text)
       AND d.status IN ('pending', 'awaiting_retry')`,
    [
      sorted.map((d) => d.deliveryId),
      sorted.map((d) => d.tenantId),
      sorted.map((d) => d.claimToken),
      sorted.map((d) => errorMessageExcerpt(d.reason)),
      sorted.map((d) => d.nextAttemptAt),
      owner,
    ],
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
