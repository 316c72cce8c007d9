/**
 * The messages of `admin.proto` as the gRPC server reads and writes them (see
 * `ADMIN_PROTO_LOADER_OPTIONS`). Requests are typed as decoded: every field present at its default
 * except `optional` scalars, which are absent when unset, and messages, which are `null`.
 * Each interface is documented in the `.proto`.
 */
import type { StructMessage, TimestampMessage } from './proto-values';

type Timestamp = TimestampMessage | null;
type StringMap = Record<string, string>;

// Operator service.

export interface SetTenantRetentionRequest {
  readonly tenant_id: string;
  readonly retention_days?: number;
}

export interface TenantRetentionMessage {
  readonly tenant_id: string;
  readonly retention_days?: number;
}

export interface ExpungeTenantEventRequest {
  readonly tenant_id: string;
  readonly id: string;
}

export interface ExpungedEventMessage {
  readonly id: string;
  readonly expunged_at: Timestamp;
  readonly deliveries_stopped: number;
}

export interface CreateTenantRequest {
  readonly name: string;
  readonly uid?: string;
  readonly metadata: StringMap;
}

export interface TenantMessage {
  readonly id: string;
  readonly name: string;
  readonly created: Timestamp;
  readonly uid?: string;
  readonly metadata: StringMap;
  readonly disabled_at: Timestamp;
  readonly disabled_reason?: string;
}

export interface ListTenantsRequest {
  readonly limit: number;
  readonly starting_after: string;
  readonly disabled?: boolean;
}

export interface ListTenantsResponse {
  readonly tenants: TenantMessage[];
  readonly has_more: boolean;
}

export interface TenantRefRequest {
  readonly id: string;
}

export interface UpdateTenantRequest {
  readonly id: string;
  readonly name?: string;
  readonly uid?: string;
  readonly metadata: StringMap;
  readonly update_mask: { readonly paths: string[] } | null;
}

export interface DisableTenantRequest {
  readonly id: string;
  readonly reason?: string;
}

export interface DeleteTenantResponse {
  readonly id: string;
  readonly deleted: boolean;
  readonly endpoints_deleted: number;
}

export interface MintOperatorKeyRequest {
  readonly name: string;
}

export interface OperatorKeyMessage {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly created: Timestamp;
  readonly last_used_at: Timestamp;
  readonly revoked_at: Timestamp;
}

export interface MintedOperatorKeyMessage {
  readonly operator_key: OperatorKeyMessage;
  readonly key: string;
}

export interface ListOperatorKeysResponse {
  readonly operator_keys: OperatorKeyMessage[];
}

export interface MintApiKeyRequest {
  readonly tenant_id: string;
  readonly name?: string;
}

export interface ApiKeyMessage {
  readonly id: string;
  readonly tenant_id: string;
  readonly name: string;
  readonly prefix: string;
  readonly created: Timestamp;
  readonly last_used_at: Timestamp;
  readonly revoked_at: Timestamp;
}

export interface MintedApiKeyMessage {
  readonly api_key: ApiKeyMessage;
  readonly key: string;
}

export interface ListApiKeysRequest {
  readonly tenant_id: string;
}

export interface ListApiKeysResponse {
  readonly api_keys: ApiKeyMessage[];
}

export interface RevokeApiKeyRequest {
  readonly tenant_id: string;
  readonly key_id: string;
}

export interface RepublishEndpointsResponse {
  readonly count: number;
}

// Endpoint service.

export interface EndpointMessage {
  readonly id: string;
  readonly url: string;
  readonly events: string[];
  readonly description?: string;
  readonly metadata: StringMap;
  readonly headers: StringMap;
  readonly active: boolean;
  readonly disabled_reason?: string;
  readonly previous_secret_expires_at: Timestamp;
  readonly version: number;
  readonly created: Timestamp;
  readonly updated: Timestamp;
  readonly disabled_at: Timestamp;
}

export interface EndpointSecretMessage {
  readonly secret: string;
  readonly previous_secret_expires_at: Timestamp;
}

export interface EndpointWithSecretMessage {
  readonly endpoint: EndpointMessage;
  readonly secret: string;
}

export interface CreateEndpointRequest {
  readonly url: string;
  readonly events: readonly string[];
  readonly secret?: string;
  readonly description?: string;
  readonly metadata: StringMap;
  readonly headers: StringMap;
  readonly active?: boolean;
}

export interface PageRequest {
  readonly limit: number;
  readonly starting_after: string;
}

export type ListEndpointsRequest = PageRequest;

export interface ListEndpointsResponse {
  readonly endpoints: EndpointMessage[];
  readonly has_more: boolean;
}

export interface IdRequest {
  readonly id: string;
}

export interface UpdateEndpointRequest {
  readonly id: string;
  readonly url: string;
  readonly events: readonly string[];
  readonly description?: string;
  readonly metadata: StringMap;
  readonly headers: StringMap;
  readonly active: boolean;
  readonly update_mask: { readonly paths: readonly string[] } | null;
}

export interface DeleteEndpointResponse {
  readonly id: string;
  readonly deleted: true;
}

export interface RotateEndpointSecretRequest {
  readonly id: string;
  readonly secret?: string;
}

export interface SendTestEventRequest {
  readonly endpoint_id: string;
  readonly type?: string;
  readonly data: StructMessage | null;
}

export interface QueuedDeliveryMessage {
  readonly delivery_id: string;
  readonly event_id: string;
  readonly event_type: string;
  readonly endpoint_id: string;
  readonly attempt: number;
}

// Event service.

export interface EventTypeMessage {
  readonly type: string;
  readonly group: string;
  readonly category: string;
  readonly description: string;
  readonly schema: StructMessage;
  readonly sample: StructMessage;
}

export interface ListEventTypesResponse {
  readonly event_types: EventTypeMessage[];
}

export interface ListEventsRequest extends PageRequest {
  readonly type: string;
  readonly created_gte: Timestamp;
  readonly created_lte: Timestamp;
}

export interface EventMessage {
  readonly id: string;
  readonly type: string;
  readonly created: Timestamp;
  readonly api_version: string;
  readonly data: StructMessage;
  readonly previous_attributes: StructMessage;
  readonly request: { readonly id?: string; readonly idempotency_key?: string } | null;
  readonly livemode: boolean;
  readonly expunged_at: Timestamp;
}

export interface ListEventsResponse {
  readonly events: EventMessage[];
  readonly has_more: boolean;
}

// Delivery service.

/** `DeliveryStatus` by name; unknown numbers arrive as numbers. */
export type DeliveryStatusName = `DELIVERY_STATUS_${string}` | number;

export interface DeliveryMessage {
  readonly id: string;
  readonly endpoint_id: string;
  readonly event_id: string;
  readonly event_type?: string;
  readonly status: DeliveryStatusName;
  readonly response_code?: number;
  readonly response_body?: string;
  readonly response_time_ms?: number;
  readonly attempt_count: number;
  readonly next_attempt_at: Timestamp;
  readonly last_error?: string;
  readonly created: Timestamp;
  readonly completed_at: Timestamp;
}

export interface DeliveryAttemptMessage {
  readonly attempt: number;
  readonly status_code?: number;
  readonly duration_ms: number;
  readonly error_class?: string;
  readonly error_message?: string;
  readonly started_at: Timestamp;
  readonly finished_at: Timestamp;
  readonly request_headers: StringMap;
  readonly response_headers: StringMap;
  readonly response_body?: string;
}

export interface ListDeliveriesRequest extends PageRequest {
  readonly endpoint_id: string;
  readonly status: DeliveryStatusName;
  readonly created_gte: Timestamp;
  readonly created_lte: Timestamp;
  readonly type: string;
}

export interface ListEventDeliveriesRequest extends PageRequest {
  readonly event_id: string;
}

export interface ListDeliveriesResponse {
  readonly deliveries: DeliveryMessage[];
  readonly has_more: boolean;
}

export interface GetDeliveryResponse {
  readonly delivery: DeliveryMessage;
  readonly attempts: DeliveryAttemptMessage[];
}

export interface RecoverDeliveriesRequest {
  readonly endpoint_id: string;
  readonly since: Timestamp;
  readonly until: Timestamp;
}

export interface RecoverDeliveriesResponse {
  readonly count: number;
}

// Endpoint statistics.

/** Names of the `EndpointStatsWindow` enum. */
export type EndpointStatsWindowName =
  | 'ENDPOINT_STATS_WINDOW_UNSPECIFIED'
  | 'ENDPOINT_STATS_WINDOW_1H'
  | 'ENDPOINT_STATS_WINDOW_24H'
  | 'ENDPOINT_STATS_WINDOW_7D';

export interface GetEndpointStatsRequest {
  readonly endpoint_id: string;
  readonly window: EndpointStatsWindowName;
}

export interface EndpointFailuresByReasonMessage {
  readonly http_4xx: number;
  readonly http_5xx: number;
  readonly timeout: number;
  readonly connection: number;
  readonly tls: number;
  readonly refused_address: number;
  readonly other: number;
}

export interface EndpointStatsCountsMessage {
  readonly attempts: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly success_rate?: number;
  readonly p50_ms?: number;
  readonly p95_ms?: number;
  readonly mean_ms?: number;
  readonly failures_by_reason: EndpointFailuresByReasonMessage;
}

export interface EndpointStatsBucketMessage {
  readonly start: Timestamp;
  readonly counts: EndpointStatsCountsMessage;
}

export interface EndpointStatsMessage {
  readonly endpoint_id: string;
  readonly window: EndpointStatsWindowName;
  readonly start: Timestamp;
  readonly end: Timestamp;
  readonly bucket_seconds: number;
  readonly totals: EndpointStatsCountsMessage;
  readonly series: EndpointStatsBucketMessage[];
  readonly breaker: EndpointBreakerMessage;
}

export interface EndpointBreakerMessage {
  readonly state: string;
  readonly since: Timestamp;
  readonly reason?: string;
  readonly dispatchers_open: number;
  readonly dispatchers: number;
}
