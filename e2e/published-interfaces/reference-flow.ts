/**
 * The reference pages' flow, written against the TypeScript clients generated from the services'
 * own OpenAPI documents (into ./generated, by the spec that runs this), the way an integrator writes
 * it. Requests are shaped as generated models send them: every optional field present, the ones the
 * caller did not set `null` or empty. The spec type-checks this file against the generated clients
 * before running it.
 */
import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { expect } from '@jest/globals';
import { eventsCreate } from './generated/ingest';
import { createClient as createIngestClient, createConfig as ingestConfig } from './generated/ingest/client';
import {
  adminCreateTenant,
  adminMintKey,
  deliveriesGet,
  deliveriesList,
  deliveriesRedeliver,
  deliveriesTest,
  type DeliveryDto,
  type UpdateWebhookDto,
  webhooksCreate,
  webhooksDelete,
  webhooksGet,
  webhooksPatch,
  webhooksPut,
} from './generated/subscription';
import {
  type Client,
  createClient as createSubscriptionClient,
  createConfig as subscriptionConfig,
} from './generated/subscription/client';
import { Agent, fetch as undiciFetch } from 'undici';

/** A request the test receiver got. */
export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Where the flow runs. */
export interface FlowTarget {
  readonly subscriptionUrl: string;
  readonly ingestUrl: string;
  readonly adminToken: string;
  /** URL of a receiver on this machine. */
  readonly receiverUrl: string;
  /** Resolves with the receiver's requests once it has at least `count`. */
  received(count: number): Promise<readonly Received[]>;
}

const PAGE_SECRET = 'your-webhook-secret';
const DEADLINE_MS = 60_000;

/** What a generated `UpdateWebhookDto` holds when the caller set nothing. */
const UNSET_UPDATE: UpdateWebhookDto = {
  url: null,
  events: [],
  description: null,
  metadata: {},
  headers: {},
  active: null,
  clear: [],
};

// Each call on a connection of its own: the flow waits between calls (for deliveries to arrive), and
// a kept-alive connection the server closes for idleness just as a call reuses it fails the call
// with "other side closed" — a race of the test's client, not of the API under test.
const noKeepAlive = new Agent({ pipelining: 0 });
const freshConnectionFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
  // The client library's own fetch (the runtime's cannot take this library's dispatcher), fed the
  // parts of the request the generated client built.
  const request = new Request(input, init);
  const body = request.body === null ? undefined : await request.arrayBuffer();
  return undiciFetch(request.url, {
    method: request.method,
    headers: [...request.headers],
    body,
    dispatcher: noKeepAlive,
  });
}) as unknown as typeof fetch;

/** Runs the flow; each step asserts what it got back. */
export async function runReferenceFlow(target: FlowTarget): Promise<void> {
  const operator = createSubscriptionClient(
    subscriptionConfig({
      baseUrl: target.subscriptionUrl,
      auth: target.adminToken,
      fetch: freshConnectionFetch,
    }),
  );
  const tenant = await adminCreateTenant({ client: operator, body: { name: 'acme' }, throwOnError: true });
  const minted = await adminMintKey({
    client: operator,
    path: { id: tenant.data.id },
    body: { name: 'production' },
    throwOnError: true,
  });
  const client = createSubscriptionClient(
    subscriptionConfig({
      baseUrl: target.subscriptionUrl,
      auth: minted.data.key,
      fetch: freshConnectionFetch,
    }),
  );

  // Register, as the Appmint page's programmatic setup does, with its dashboard's custom header.
  const created = await webhooksCreate({
    client,
    throwOnError: true,
    body: {
      url: `${target.receiverUrl}/webhooks/appmint`,
      events: ['user.created', 'payment.succeeded'],
      secret: PAGE_SECRET,
      description: 'Main application webhook',
      metadata: { environment: 'production', version: '1.0' },
      headers: { 'X-Custom-Header': 'value' },
      active: null,
    },
  });
  const endpoint = created.data;
  expect(endpoint).toMatchObject({
    object: 'webhook_endpoint',
    active: true,
    version: 1,
    secret: PAGE_SECRET,
  });
  const createdAt: string = endpoint.created;
  expect(Number.isNaN(Date.parse(createdAt))).toBe(false);
  const path = { id: endpoint.id };

  // The Hackmamba page's `PUT` carries only `events`; a generated model sends the rest unset.
  const put = await webhooksPut({
    client,
    path,
    throwOnError: true,
    body: { ...UNSET_UPDATE, events: ['user.created', 'user.updated', 'user.deleted'] },
  });
  expect(put.data).toMatchObject({
    url: endpoint.url,
    events: ['user.created', 'user.updated', 'user.deleted'],
    description: 'Main application webhook',
    metadata: { environment: 'production', version: '1.0' },
    headers: { 'X-Custom-Header': 'value' },
    active: true,
    version: 2,
  });

  const patched = await webhooksPatch({
    client,
    path,
    throwOnError: true,
    body: { ...UNSET_UPDATE, description: 'Renamed' },
  });
  expect(patched.data).toMatchObject({
    description: 'Renamed',
    events: ['user.created', 'user.updated', 'user.deleted'],
    metadata: { environment: 'production', version: '1.0' },
    headers: { 'X-Custom-Header': 'value' },
    version: 3,
  });
  // Emptying a map takes an explicit `clear`.
  const cleared = await webhooksPatch({
    client,
    path,
    throwOnError: true,
    body: { ...UNSET_UPDATE, clear: ['headers'] },
  });
  expect(cleared.data).toMatchObject({
    headers: {},
    metadata: { environment: 'production', version: '1.0' },
    version: 4,
  });

  // A test event, as a generated `TestEventDto` sends it when neither part is set.
  const queued = await deliveriesTest({ client, path, throwOnError: true, body: { type: null, data: {} } });
  expect(queued.data).toMatchObject({
    object: 'delivery',
    endpoint_id: endpoint.id,
    event_type: 'user.created',
    status: 'pending',
    attempt: 1,
  });
  const [testRequest] = await target.received(1);
  expect(testRequest.headers['x-hookline-event-id']).toBe(queued.data.event_id);
  // The pages' receivers check `sha256=<hex HMAC-SHA256(body)>` keyed with the secret.
  expect(testRequest.headers['x-hookline-signature']).toBe(
    `sha256=${createHmac('sha256', PAGE_SECRET).update(testRequest.body).digest('hex')}`,
  );
  const delivered = await deliveryOf(client, endpoint.id, queued.data.id, (d) => d.status === 'succeeded');
  expect(delivered).toMatchObject({ event_type: 'user.created', attempt_count: 1, response_code: 200 });

  // A producer's event through the generated ingest client, made safe to repeat by its key.
  const ingest = createIngestClient(
    ingestConfig({ baseUrl: target.ingestUrl, auth: minted.data.key, fetch: freshConnectionFetch }),
  );
  const event = {
    type: 'user.created',
    data: { id: 'user_42', email: 'ada@example.com', name: 'Ada' },
  };
  const sent = await eventsCreate({
    client: ingest,
    body: event,
    headers: { 'Idempotency-Key': 'signup-42' },
    throwOnError: true,
  });
  expect(sent.response.status).toBe(202);
  const accepted = sent.data;
  if (!('id' in accepted))
    throw new Error(`a single event was answered as a batch: ${JSON.stringify(accepted)}`);
  const repeated = await eventsCreate({
    client: ingest,
    body: event,
    headers: { 'Idempotency-Key': 'signup-42' },
    throwOnError: true,
  });
  expect([repeated.data, repeated.response.headers.get('idempotent-replayed')]).toEqual([accepted, 'true']);
  const requests = await target.received(2);
  expect(requests.map((request) => request.headers['x-hookline-event-id'])).toContain(accepted.id);

  // Redeliver the test delivery now that it is no longer queued.
  const redelivered = await deliveriesRedeliver({ client, path: { id: queued.data.id }, throwOnError: true });
  expect(redelivered.data).toMatchObject({ id: queued.data.id, status: 'pending', attempt: 2 });
  await target.received(3);
  await deliveryOf(
    client,
    endpoint.id,
    queued.data.id,
    (d) => d.status === 'succeeded' && d.attempt_count === 2,
  );
  const detail = await deliveriesGet({ client, path: { id: queued.data.id }, throwOnError: true });
  expect(detail.data.attempts.map((attempt) => [attempt.attempt, attempt.status_code])).toEqual([
    [1, 200],
    [2, 200],
  ]);

  const deleted = await webhooksDelete({ client, path, throwOnError: true });
  expect(deleted.data).toEqual({ id: endpoint.id, object: 'webhook_endpoint', deleted: true });
  const gone = await webhooksGet({ client, path });
  expect([gone.response?.status, gone.error?.error.type]).toEqual([404, 'not_found']);
}

/** The delivery as the endpoint's delivery log lists it, once `ready` holds for it. */
async function deliveryOf(
  client: Client,
  endpointId: string,
  deliveryId: string,
  ready: (delivery: DeliveryDto) => boolean,
): Promise<DeliveryDto> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const page = await deliveriesList({
      client,
      path: { id: endpointId },
      query: { limit: 100 },
      throwOnError: true,
    });
    const delivery = page.data.data.find((item) => item.id === deliveryId);
    if (delivery && ready(delivery)) return delivery;
    if (Date.now() > deadline)
      throw new Error(`delivery ${deliveryId} is not there yet: ${JSON.stringify(delivery ?? page.data)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
