/**
 * Turns decoded request messages into the inputs the use cases take, with the same field names as
 * the REST bodies. Only what protobuf cannot say is decided here (which fields were given); every
 * rule about the values stays in the use cases.
 */
import type { DeliveryListInput } from '../deliveries/deliveries.service';
import { FieldErrors } from '../errors/domain.errors';
import type { EventListInput } from '../events/events.service';
import type { ListInput } from '../listing/list-input';
import type { EndpointStatsInput } from '../stats/endpoint-stats.service';
import type {
  CreateEndpointRequest,
  DeliveryStatusName,
  GetEndpointStatsRequest,
  ListDeliveriesRequest,
  ListEventsRequest,
  PageRequest,
  RecoverDeliveriesRequest,
  SendTestEventRequest,
  UpdateEndpointRequest,
} from './admin.messages';
import { DELIVERY_STATUS_PREFIX, STATS_WINDOW_ENUM_NAMES } from './admin.presenters';
import { fromStruct, timestampToIso } from './proto-values';

/** Fields an `UpdateEndpoint` mask may name, in the order they are applied. */
export const UPDATABLE_ENDPOINT_FIELDS = [
  'url',
  'events',
  'description',
  'metadata',
  'headers',
  'active',
] as const;

type UpdatableField = (typeof UPDATABLE_ENDPOINT_FIELDS)[number];

/** Checks that an id field is given: protobuf sends a missing string as empty. */
export function requireIds(ids: Readonly<Record<string, string>>): void {
  const errors = new FieldErrors();
  for (const [field, value] of Object.entries(ids)) if (value === '') errors.add(field, 'is required');
  errors.throwIfAny();
}

/** The registration body of `CreateEndpoint`; an empty `url` or `events` counts as not given. */
export function createEndpointInput(request: CreateEndpointRequest): Record<string, unknown> {
  return withoutUndefined({
    url: request.url === '' ? undefined : request.url,
    events: request.events.length === 0 ? undefined : [...request.events],
    secret: request.secret,
    description: request.description,
    metadata: { ...request.metadata },
    headers: { ...request.headers },
    active: request.active,
  });
}

/**
 * The change body of `UpdateEndpoint`: the fields `update_mask` names, or, without a mask, the
 * fields that are populated. A named field that is unset or empty is cleared, as REST's `clear` does
 * (and refused for the fields an endpoint cannot be without).
 */
export function updateEndpointInput(request: UpdateEndpointRequest): Record<string, unknown> {
  const errors = new FieldErrors();
  const paths = request.update_mask?.paths ?? [];
  const fields = new Set<UpdatableField>();
  paths.forEach((path, index) => {
    if ((UPDATABLE_ENDPOINT_FIELDS as readonly string[]).includes(path)) fields.add(path as UpdatableField);
    else if (path === 'secret')
      errors.add(
        `update_mask.paths[${index}]`,
        'secret cannot be changed by an update; rotate the secret instead',
      );
    else
      errors.add(
        `update_mask.paths[${index}]`,
        `${JSON.stringify(path)} is not an updatable field (${UPDATABLE_ENDPOINT_FIELDS.join(', ')})`,
      );
  });
  errors.throwIfAny();
  const populated = populatedFields(request);
  if (paths.length === 0) for (const field of populated) fields.add(field);

  const body: Record<string, unknown> = {};
  const clear: UpdatableField[] = [];
  for (const field of UPDATABLE_ENDPOINT_FIELDS) {
    if (!fields.has(field)) continue;
    if (field === 'active') body.active = request.active;
    else if (populated.includes(field)) body[field] = valueOf(request, field);
    else if (field === 'url' || field === 'events')
      errors.add(field, 'cannot be cleared: an endpoint always has one');
    else clear.push(field);
  }
  errors.throwIfAny();
  if (clear.length > 0) body.clear = clear;
  return body;
}

function valueOf(request: UpdateEndpointRequest, field: Exclude<UpdatableField, 'active'>): unknown {
  if (field === 'events') return [...request.events];
  if (field === 'metadata' || field === 'headers') return { ...request[field] };
  return request[field];
}

function populatedFields(request: UpdateEndpointRequest): UpdatableField[] {
  const populated: UpdatableField[] = [];
  if (request.url !== '') populated.push('url');
  if (request.events.length > 0) populated.push('events');
  if (request.description !== undefined) populated.push('description');
  if (Object.keys(request.metadata).length > 0) populated.push('metadata');
  if (Object.keys(request.headers).length > 0) populated.push('headers');
  if (request.active) populated.push('active');
  return populated;
}

/** Paging of a list request; 0 and empty mean "not given". */
export function pageInput(request: PageRequest): ListInput {
  return {
    limit: request.limit === 0 ? undefined : request.limit,
    startingAfter: request.starting_after === '' ? undefined : request.starting_after,
  };
}

/** Paging and filters of `ListEvents`. */
export function eventListInput(request: ListEventsRequest): EventListInput {
  return {
    ...pageInput(request),
    createdGte: timestampToIso(request.created_gte),
    createdLte: timestampToIso(request.created_lte),
    type: request.type === '' ? undefined : request.type,
  };
}

/** Paging and filters of `ListDeliveries`. */
export function deliveryListInput(request: ListDeliveriesRequest): DeliveryListInput {
  return {
    ...pageInput(request),
    createdGte: timestampToIso(request.created_gte),
    createdLte: timestampToIso(request.created_lte),
    status: deliveryStatusFilter(request.status),
    type: request.type === '' ? undefined : request.type,
    endpointId: request.endpoint_id === '' ? undefined : request.endpoint_id,
  };
}

/**
 * The delivery status a `DeliveryStatus` filter selects; `undefined` for every status. A number the
 * enum does not know is passed on as it is, for the use case to refuse under `status`.
 */
export function deliveryStatusFilter(status: DeliveryStatusName): string | undefined {
  if (typeof status === 'number') return status === 0 ? undefined : String(status);
  if (status === `${DELIVERY_STATUS_PREFIX}UNSPECIFIED`) return undefined;
  return status.startsWith(DELIVERY_STATUS_PREFIX)
    ? status.slice(DELIVERY_STATUS_PREFIX.length).toLowerCase()
    : status;
}

/** The body of `SendTestEvent`: the type and data given, if any. */
export function testEventInput(request: SendTestEventRequest): Record<string, unknown> {
  return withoutUndefined({
    type: request.type,
    data: request.data ? fromStruct(request.data) : undefined,
  });
}

/** The body of `RecoverDeliveries`. */
export function recoverInput(request: RecoverDeliveriesRequest): Record<string, unknown> {
  return withoutUndefined({ since: timestampToIso(request.since), until: timestampToIso(request.until) });
}

// Shaped like a JSON body, which has no `undefined` members.
function withoutUndefined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/**
 * The statistics input of `GetEndpointStats`: an unspecified window is not given (the default); a
 * value the enum does not name is passed on for the use case to refuse, naming `window`.
 */
export function endpointStatsInput(request: GetEndpointStatsRequest): EndpointStatsInput {
  if (request.window === 'ENDPOINT_STATS_WINDOW_UNSPECIFIED') return {};
  const window = Object.entries(STATS_WINDOW_ENUM_NAMES).find(([, name]) => name === request.window)?.[0];
  return { window: window ?? request.window };
}
