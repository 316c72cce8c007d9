import { createUlidGenerator, findEventType, renderWebhookEvent, type CreatedFormat } from '@hookline/events';
import type { DeliveryStatus } from '@hookline/persistence';
import type { DataSource } from 'typeorm';

const ulid = createUlidGenerator();

/** Writes an event row as the dispatcher would after accepting the event. */
export async function seedEvent(
  dataSource: DataSource,
  options: {
    tenantId: string;
    id?: string;
    type?: string;
    createdAt?: Date;
    format?: CreatedFormat;
    data?: Record<string, unknown>;
  },
): Promise<{ id: string; type: string; payload: Record<string, unknown> }> {
  const id = options.id ?? `evt_${ulid()}`;
  const type = options.type ?? 'user.created';
  const createdAt = options.createdAt ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  const { pending_webhooks: _pending, ...payload } = renderWebhookEvent(
    {
      id,
      type,
      createdAt,
      apiVersion: '2024-01-01',
      data: options.data ?? { ...(findEventType(type)?.sample ?? { id: 'x' }) },
      request: { id: 'req_1234567890' },
    },
    options.format ?? 'iso8601',
  );
  await dataSource.query(
    `INSERT INTO events (id, tenant_id, type, api_version, created_at, livemode, payload, request_id)
     VALUES ($1, $2, $3, '2024-01-01', $4, true, $5, 'req_1234567890')`,
    [id, options.tenantId, type, createdAt, JSON.stringify(payload)],
  );
  return { id, type, payload };
}

/** Writes a delivery row in the state the dispatcher leaves it after some attempts. */
export async function seedDelivery(
  dataSource: DataSource,
  options: {
    tenantId: string;
    endpointId: string;
    eventId: string;
    id?: string;
    status?: DeliveryStatus;
    attemptCount?: number;
    createdAt?: Date;
    lastStatusCode?: number | null;
    lastResponseBody?: string | null;
    lastResponseTimeMs?: number | null;
    lastError?: string | null;
    nextAttemptAt?: Date | null;
  },
): Promise<string> {
  const id = options.id ?? `delivery_${ulid()}`;
  const status = options.status ?? 'failed';
  await dataSource.query(
    `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempt_count, next_attempt_at,
       last_status_code, last_response_body, last_response_time_ms, last_error, created_at, completed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      id,
      options.tenantId,
      options.endpointId,
      options.eventId,
      status,
      options.attemptCount ?? 1,
      options.nextAttemptAt ?? null,
      options.lastStatusCode ?? null,
      options.lastResponseBody ?? null,
      options.lastResponseTimeMs ?? null,
      options.lastError ?? null,
      options.createdAt ?? new Date(),
      ['succeeded', 'failed', 'skipped'].includes(status) ? (options.createdAt ?? new Date()) : null,
    ],
  );
  return id;
}

/** Writes one attempt row as the dispatcher's attempt recorder would (headers already redacted). */
export async function seedAttempt(
  dataSource: DataSource,
  options: {
    deliveryId: string;
    tenantId: string;
    endpointId: string;
    eventId: string;
    attempt: number;
    statusCode: number | null;
    durationMs: number;
    errorClass?: string | null;
    errorMessage?: string | null;
    startedAt: Date;
    requestHeaders?: Record<string, string>;
    responseHeaders?: Record<string, string> | null;
    responseBody?: string | null;
  },
): Promise<void> {
  await dataSource.query(
    `INSERT INTO delivery_attempts (send_id, delivery_id, tenant_id, endpoint_id, event_id, attempt_number,
       request_headers, status_code, response_body_excerpt, duration_ms, error_class, error_message, started_at,
       finished_at, response_headers)
     VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      options.deliveryId,
      options.tenantId,
      options.endpointId,
      options.eventId,
      options.attempt,
      JSON.stringify(options.requestHeaders ?? {}),
      options.statusCode,
      options.responseBody ?? null,
      options.durationMs,
      options.errorClass ?? null,
      options.errorMessage ?? null,
      options.startedAt,
      new Date(options.startedAt.getTime() + options.durationMs),
      options.responseHeaders ? JSON.stringify(options.responseHeaders) : null,
    ],
  );
}
