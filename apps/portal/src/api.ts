/**
 * The tenant REST API of the subscription service (same origin, `/v1/...`), typed with the types
 * generated from its OpenAPI document.
 */
import type {
  CreateWebhookDto,
  DeliveryAttemptDto,
  DeliveryDetailDto,
  DeliveryDto,
  DeliveryListDto,
  EndpointBreakerDto,
  EndpointStatsDto,
  ErrorBodyDto,
  EventDto,
  EventListDto,
  EventTypeDto,
  EventTypeListDto,
  QueuedDeliveryDto,
  RecoverResultDto,
  UpdateWebhookDto,
  WebhookDto,
  WebhookListDto,
  WebhookSecretDto,
  WebhookWithSecretDto,
} from '../.cache/openapi';

export type {
  CreateWebhookDto,
  DeliveryDto,
  EndpointStatsDto,
  EventDto,
  EventTypeDto,
  QueuedDeliveryDto,
  UpdateWebhookDto,
  WebhookDto,
  WebhookWithSecretDto,
};

export type DeliveryStatus = DeliveryDto['status'];
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'pending',
  'succeeded',
  'awaiting_retry',
  'failed',
  'skipped',
];
export type StatsWindow = EndpointStatsDto['window'];

export type Attempt = DeliveryAttemptDto;
export type DeliveryDetail = DeliveryDetailDto;
export type BreakerState = EndpointBreakerDto;
export type EndpointStats = EndpointStatsDto;
export type RevealedSecret = WebhookSecretDto;

/** Filters and paging of a delivery log. */
export interface DeliveryFilter {
  endpointId?: string;
  status?: string;
  type?: string;
  gte?: string;
  lte?: string;
  startingAfter?: string;
  limit?: number;
}

/** An API answer other than 2xx. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBodyDto | null,
  ) {
    super(body?.error?.message ?? `The server answered ${status}.`);
  }

  /** `field: message` for every invalid field, when the server named them. */
  get fieldMessages(): string[] {
    return (this.body?.error?.fields ?? []).map((f) => `${f.field}: ${f.message}`);
  }
}

type Query = Record<string, string | number | undefined | null>;

export class Api {
  constructor(
    private readonly token: string,
    private readonly onUnauthenticated: () => void = () => undefined,
  ) {}

  private async request<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const search = params.toString();
    const response = await fetch(`/v1${path}${search ? `?${search}` : ''}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      credentials: 'omit',
      cache: 'no-store',
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      if (response.status === 401) this.onUnauthenticated();
      throw new ApiError(response.status, parsed as ErrorBodyDto | null);
    }
    return parsed as T;
  }

  listEndpoints(startingAfter?: string, limit = 20): Promise<WebhookListDto> {
    return this.request('GET', '/webhooks', { limit, starting_after: startingAfter });
  }

  /** Every endpoint of the tenant, page after page. */
  async allEndpoints(): Promise<WebhookDto[]> {
    const all: WebhookDto[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.listEndpoints(after, 100);
      all.push(...page.data);
      if (!page.has_more || page.data.length === 0) return all;
      after = page.data[page.data.length - 1].id;
    }
  }

  getEndpoint(id: string): Promise<WebhookDto> {
    return this.request('GET', `/webhooks/${encodeURIComponent(id)}`);
  }

  createEndpoint(body: CreateWebhookDto): Promise<WebhookWithSecretDto> {
    return this.request('POST', '/webhooks', undefined, body);
  }

  updateEndpoint(id: string, body: UpdateWebhookDto): Promise<WebhookDto> {
    return this.request('PATCH', `/webhooks/${encodeURIComponent(id)}`, undefined, body);
  }

  deleteEndpoint(id: string): Promise<unknown> {
    return this.request('DELETE', `/webhooks/${encodeURIComponent(id)}`);
  }

  rotateSecret(id: string): Promise<WebhookWithSecretDto> {
    return this.request('POST', `/webhooks/${encodeURIComponent(id)}/rotate-secret`, undefined, {});
  }

  revealSecret(id: string): Promise<RevealedSecret> {
    return this.request('GET', `/webhooks/${encodeURIComponent(id)}/secret`);
  }

  stats(id: string, window: StatsWindow): Promise<EndpointStats> {
    return this.request('GET', `/webhooks/${encodeURIComponent(id)}/stats`, { window });
  }

  /** The delivery log: every endpoint's, or `filter.endpointId`'s. */
  listDeliveries(filter: DeliveryFilter): Promise<DeliveryListDto> {
    return this.request('GET', '/deliveries', {
      endpoint_id: filter.endpointId,
      status: filter.status,
      type: filter.type,
      'created[gte]': filter.gte,
      'created[lte]': filter.lte,
      starting_after: filter.startingAfter,
      limit: filter.limit ?? 20,
    });
  }

  getDelivery(id: string): Promise<DeliveryDetail> {
    return this.request('GET', `/deliveries/${encodeURIComponent(id)}`);
  }

  redeliver(id: string): Promise<QueuedDeliveryDto> {
    return this.request('POST', `/deliveries/${encodeURIComponent(id)}/redeliver`);
  }

  recover(endpointId: string, since: string): Promise<RecoverResultDto> {
    return this.request('POST', `/webhooks/${encodeURIComponent(endpointId)}/recover`, undefined, { since });
  }

  sendTest(
    endpointId: string,
    type: string,
    data: Record<string, unknown> | null,
  ): Promise<QueuedDeliveryDto> {
    return this.request('POST', `/webhooks/${encodeURIComponent(endpointId)}/test`, undefined, {
      type,
      data,
    });
  }

  eventTypes(): Promise<EventTypeListDto> {
    return this.request('GET', '/event-types');
  }

  listEvents(filter: {
    type?: string;
    gte?: string;
    lte?: string;
    startingAfter?: string;
    limit?: number;
  }): Promise<EventListDto> {
    return this.request('GET', '/events', {
      type: filter.type,
      'created[gte]': filter.gte,
      'created[lte]': filter.lte,
      starting_after: filter.startingAfter,
      limit: filter.limit ?? 20,
    });
  }

  getEvent(id: string): Promise<EventDto> {
    return this.request('GET', `/events/${encodeURIComponent(id)}`);
  }

  eventDeliveries(id: string, startingAfter?: string, limit = 100): Promise<DeliveryListDto> {
    return this.request('GET', `/events/${encodeURIComponent(id)}/deliveries`, {
      limit,
      starting_after: startingAfter,
    });
  }
}

/** The event types an endpoint's subscriptions select (`user.*`, `*` expanded against the catalogue). */
export function subscribedTypes(events: readonly string[], catalogue: readonly EventTypeDto[]): string[] {
  return catalogue
    .map((t) => t.type)
    .filter((type) =>
      events.some(
        (selector) =>
          selector === '*' ||
          selector === type ||
          (selector.endsWith('.*') && type.startsWith(selector.slice(0, -1))),
      ),
    );
}
