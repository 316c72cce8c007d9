import type { EventTypeDefinition } from '@hookline/events';
import type { DeliveryStatus } from '@hookline/persistence';
import type { DeliveryDetail, DeliveryView, QueuedDelivery } from '../deliveries/delivery.view';
import type { EndpointView, RevealedSecret } from '../endpoints/endpoint.view';
import type { ExpungedEvent, StoredEvent } from '../events/events.service';
import type { ApiKeyView, TenantView } from '../keys/keys.service';
import type { OperatorKeyView } from '../keys/operator-keys.service';
import type { EndpointStatsView, StatsCounts, StatsWindow } from '../stats/endpoint-stats.view';
import type {
  ApiKeyMessage,
  DeliveryAttemptMessage,
  DeliveryMessage,
  DeliveryStatusName,
  EndpointMessage,
  EndpointSecretMessage,
  EndpointStatsCountsMessage,
  EndpointStatsMessage,
  EndpointStatsWindowName,
  EventMessage,
  ExpungedEventMessage,
  EventTypeMessage,
  GetDeliveryResponse,
  OperatorKeyMessage,
  QueuedDeliveryMessage,
  TenantMessage,
} from './admin.messages';
import { toOptionalTimestamp, toStruct, toTimestamp } from './proto-values';

/** Prefix of the `DeliveryStatus` enum's value names. */
export const DELIVERY_STATUS_PREFIX = 'DELIVERY_STATUS_';

/** The `DeliveryStatus` enum name of a delivery status (`awaiting_retry` → `DELIVERY_STATUS_AWAITING_RETRY`). */
export function deliveryStatusName(status: DeliveryStatus): DeliveryStatusName {
  return `${DELIVERY_STATUS_PREFIX}${status.toUpperCase()}`;
}

/** A tenant as the operator service answers it. */
export function presentTenant(tenant: TenantView): TenantMessage {
  return {
    id: tenant.id,
    name: tenant.name,
    created: toTimestamp(tenant.createdAt),
    ...(tenant.uid === null ? {} : { uid: tenant.uid }),
    metadata: { ...tenant.metadata },
    disabled_at: toOptionalTimestamp(tenant.disabledAt),
    ...(tenant.disabledReason === null ? {} : { disabled_reason: tenant.disabledReason }),
  };
}

/** An operator key without the key itself. */
export function presentOperatorKey(key: OperatorKeyView): OperatorKeyMessage {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    created: toTimestamp(key.createdAt),
    last_used_at: toOptionalTimestamp(key.lastUsedAt),
    revoked_at: toOptionalTimestamp(key.revokedAt),
  };
}

/** An API key without the key itself. */
export function presentApiKey(key: ApiKeyView): ApiKeyMessage {
  return {
    id: key.id,
    tenant_id: key.tenantId,
    name: key.name,
    prefix: key.prefix,
    created: toTimestamp(key.createdAt),
    last_used_at: toOptionalTimestamp(key.lastUsedAt),
    revoked_at: toOptionalTimestamp(key.revokedAt),
  };
}

/** An endpoint; `description` and `disabled_reason` are left unset when they are null. */
export function presentEndpoint(endpoint: EndpointView): EndpointMessage {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: [...endpoint.events],
    ...(endpoint.description === null ? {} : { description: endpoint.description }),
    metadata: { ...endpoint.metadata },
    headers: { ...endpoint.headers },
    active: endpoint.active,
    ...(endpoint.disabledReason === null ? {} : { disabled_reason: endpoint.disabledReason }),
    previous_secret_expires_at: toOptionalTimestamp(endpoint.previousSecretExpiresAt),
    version: endpoint.version,
    created: toTimestamp(endpoint.createdAt),
    updated: toTimestamp(endpoint.updatedAt),
    disabled_at: toOptionalTimestamp(endpoint.disabledAt),
  };
}

/** An endpoint's signing secret. */
export function presentEndpointSecret(revealed: RevealedSecret): EndpointSecretMessage {
  return {
    secret: revealed.secret,
    previous_secret_expires_at: toOptionalTimestamp(revealed.previousSecretExpiresAt),
  };
}

/** The answer to a request that queued a delivery attempt (test event, redelivery). */
export function presentQueuedDelivery(queued: QueuedDelivery): QueuedDeliveryMessage {
  return {
    delivery_id: queued.deliveryId,
    event_id: queued.eventId,
    event_type: queued.eventType,
    endpoint_id: queued.endpointId,
    attempt: queued.attempt,
  };
}

/** An event type of the catalogue. */
export function presentEventType(definition: EventTypeDefinition): EventTypeMessage {
  return {
    type: definition.type,
    group: definition.group,
    category: definition.category,
    description: definition.description,
    schema: toStruct(definition.schema as Record<string, unknown>),
    sample: toStruct(definition.sample),
  };
}

/** A stored event: its envelope as delivered, with `created` as the stored instant. */
export function presentEvent(event: StoredEvent): EventMessage {
  const payload = event.payload;
  const request = asObject(payload.request);
  return {
    id: event.id,
    type: event.type,
    created: toTimestamp(event.createdAt),
    api_version: typeof payload.api_version === 'string' ? payload.api_version : '',
    data: toStruct(asObject(payload.data) ?? {}),
    previous_attributes: toStruct(asObject(payload.previous_attributes) ?? {}),
    request: request
      ? {
          ...(typeof request.id === 'string' ? { id: request.id } : {}),
          ...(typeof request.idempotency_key === 'string'
            ? { idempotency_key: request.idempotency_key }
            : {}),
        }
      : null,
    livemode: payload.livemode !== false,
    expunged_at: event.expungedAt ? toTimestamp(event.expungedAt) : null,
  };
}

/** A delivery as the delivery log shows it; nullable columns are left unset when null. */
export function presentDelivery(delivery: DeliveryView): DeliveryMessage {
  return {
    id: delivery.id,
    endpoint_id: delivery.endpointId,
    event_id: delivery.eventId,
    ...(delivery.eventType === null ? {} : { event_type: delivery.eventType }),
    status: deliveryStatusName(delivery.status),
    ...(delivery.responseCode === null ? {} : { response_code: delivery.responseCode }),
    ...(delivery.responseBody === null ? {} : { response_body: delivery.responseBody }),
    ...(delivery.responseTimeMs === null ? {} : { response_time_ms: delivery.responseTimeMs }),
    attempt_count: delivery.attemptCount,
    next_attempt_at: toOptionalTimestamp(delivery.nextAttemptAt),
    ...(delivery.lastError === null ? {} : { last_error: delivery.lastError }),
    created: toTimestamp(delivery.createdAt),
    completed_at: toOptionalTimestamp(delivery.completedAt),
  };
}

/** A delivery with its attempts, oldest first. */
export function presentDeliveryDetail(detail: DeliveryDetail): GetDeliveryResponse {
  return {
    delivery: presentDelivery(detail),
    attempts: detail.attempts.map((attempt): DeliveryAttemptMessage => ({
      attempt: attempt.attempt,
      ...(attempt.statusCode === null ? {} : { status_code: attempt.statusCode }),
      duration_ms: attempt.durationMs,
      ...(attempt.errorClass === null ? {} : { error_class: attempt.errorClass }),
      ...(attempt.errorMessage === null ? {} : { error_message: attempt.errorMessage }),
      started_at: toTimestamp(attempt.startedAt),
      finished_at: toTimestamp(attempt.finishedAt),
      request_headers: { ...attempt.requestHeaders },
      response_headers: { ...attempt.responseHeaders },
      ...(attempt.responseBody === null ? {} : { response_body: attempt.responseBody }),
    })),
  };
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The `EndpointStatsWindow` enum name of each window. */
export const STATS_WINDOW_ENUM_NAMES: Readonly<Record<StatsWindow, EndpointStatsWindowName>> = {
  '1h': 'ENDPOINT_STATS_WINDOW_1H',
  '24h': 'ENDPOINT_STATS_WINDOW_24H',
  '7d': 'ENDPOINT_STATS_WINDOW_7D',
};

/** An endpoint's statistics; what is unknown without attempts is left unset. */
export function presentEndpointStats(stats: EndpointStatsView): EndpointStatsMessage {
  return {
    endpoint_id: stats.endpointId,
    window: STATS_WINDOW_ENUM_NAMES[stats.window],
    start: toTimestamp(stats.start),
    end: toTimestamp(stats.end),
    bucket_seconds: stats.bucketSeconds,
    totals: presentStatsCounts(stats.totals),
    series: stats.series.map((bucket) => ({
      start: toTimestamp(bucket.start),
      counts: presentStatsCounts(bucket.counts),
    })),
    breaker: {
      state: `BREAKER_STATE_${stats.breaker.state.toUpperCase()}`,
      since: toOptionalTimestamp(stats.breaker.since),
      ...(stats.breaker.reason === null ? {} : { reason: stats.breaker.reason }),
      dispatchers_open: stats.breaker.dispatchersOpen,
      dispatchers: stats.breaker.dispatchers,
    },
  };
}

function presentStatsCounts(counts: StatsCounts): EndpointStatsCountsMessage {
  return {
    attempts: counts.attempts,
    succeeded: counts.succeeded,
    failed: counts.failed,
    ...(counts.successRate === null ? {} : { success_rate: counts.successRate }),
    ...(counts.p50Ms === null ? {} : { p50_ms: counts.p50Ms }),
    ...(counts.p95Ms === null ? {} : { p95_ms: counts.p95Ms }),
    ...(counts.meanMs === null ? {} : { mean_ms: counts.meanMs }),
    failures_by_reason: { ...counts.failuresByReason },
  };
}

/** What expunging an event did. */
export function presentExpungedEvent(expunged: ExpungedEvent): ExpungedEventMessage {
  return {
    id: expunged.id,
    expunged_at: toTimestamp(expunged.expungedAt),
    deliveries_stopped: expunged.deliveriesStopped,
  };
}
