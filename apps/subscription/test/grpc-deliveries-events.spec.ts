import * as grpc from '@grpc/grpc-js';
import { DELIVERY_TASKS_TOPIC, findEventType } from '@hookline/events';
import { createTestKafka, type TestDatabase } from '@hookline/testing';
import { grpcFailure } from './support/admin-grpc.client';
import { decodeTasks } from './support/changelog.records';
import {
  type Caller,
  type ServiceName,
  fieldViolations,
  type GrpcAdminHarness,
  startGrpcAdmin,
  structToJson,
  timestamp,
} from './support/grpc-admin.harness';
import { seedAttempt, seedDelivery, seedEvent } from './support/seed';
import { type Json } from './support/subscription.harness';
import { TopicTap } from './support/topic-tap';

describe('gRPC admin API: deliveries, events, unstorable text (real Postgres and Kafka, a real gRPC client)', () => {
  let harness: GrpcAdminHarness;
  let db: TestDatabase;
  let operator: Caller;
  const newTenant = (name: string) => harness.newTenant(name);

  beforeAll(async () => {
    harness = await startGrpcAdmin();
    ({ db, operator } = harness);
  });
  afterAll(() => harness?.close());

  describe('deliveries and events', () => {
    let tenant: { id: string; key: string; call: Caller };
    let endpointId: string;

    beforeAll(async () => {
      tenant = await newTenant('Deliveries');
      ({
        endpoint: { id: endpointId },
      } = await tenant.call('EndpointService', 'CreateEndpoint', {
        url: 'https://example.com/deliveries',
        events: ['payment.*', 'user.created'],
      }));
    });

    it('gets a delivery with its attempts', async () => {
      const { id: eventId } = await seedEvent(db.dataSource, { tenantId: tenant.id, type: 'user.created' });
      const createdAt = new Date('2024-03-01T10:00:00.123Z');
      const deliveryId = await seedDelivery(db.dataSource, {
        tenantId: tenant.id,
        endpointId,
        eventId,
        status: 'failed',
        attemptCount: 2,
        createdAt,
        lastStatusCode: 503,
        lastResponseBody: 'unavailable',
        lastResponseTimeMs: 40,
        lastError: 'HTTP 503',
      });
      const attempts = [
        {
          attempt: 1,
          statusCode: null,
          durationMs: 10_000,
          errorClass: 'timeout',
          errorMessage: 'no answer',
        },
        { attempt: 2, statusCode: 503, durationMs: 40 },
      ];
      for (const [index, attempt] of attempts.entries()) {
        await seedAttempt(db.dataSource, {
          deliveryId,
          tenantId: tenant.id,
          endpointId,
          eventId,
          ...attempt,
          startedAt: new Date(createdAt.getTime() + index * 60_000),
          requestHeaders: { 'webhook-id': eventId, authorization: '[redacted]' },
        });
      }

      const detail = await tenant.call('DeliveryService', 'GetDelivery', { id: deliveryId });
      expect(detail.delivery).toEqual({
        id: deliveryId,
        endpoint_id: endpointId,
        event_id: eventId,
        event_type: 'user.created',
        status: 'DELIVERY_STATUS_FAILED',
        response_code: 503,
        response_body: 'unavailable',
        response_time_ms: 40,
        attempt_count: 2,
        next_attempt_at: null,
        last_error: 'HTTP 503',
        created: timestamp(createdAt),
        completed_at: timestamp(createdAt),
      });
      expect(detail.attempts).toEqual([
        {
          attempt: 1,
          duration_ms: 10_000,
          error_class: 'timeout',
          error_message: 'no answer',
          started_at: timestamp(createdAt),
          finished_at: timestamp(new Date(createdAt.getTime() + 10_000)),
          request_headers: { 'webhook-id': eventId, authorization: '[redacted]' },
          response_headers: {},
        },
        {
          attempt: 2,
          status_code: 503,
          duration_ms: 40,
          started_at: timestamp(new Date(createdAt.getTime() + 60_000)),
          finished_at: timestamp(new Date(createdAt.getTime() + 60_040)),
          request_headers: { 'webhook-id': eventId, authorization: '[redacted]' },
          response_headers: {},
        },
      ]);
    });

    it('lists deliveries by status and creation time, redelivers and recovers them', async () => {
      const { id: eventId } = await seedEvent(db.dataSource, { tenantId: tenant.id });
      const { id: listEndpoint } = (
        await tenant.call('EndpointService', 'CreateEndpoint', {
          url: 'https://example.com/list',
          events: ['*'],
        })
      ).endpoint;
      const base = Date.parse('2024-05-01T00:00:00Z');
      const statuses = ['succeeded', 'failed', 'pending', 'failed'] as const;
      const ids: string[] = [];
      for (const [index, status] of statuses.entries()) {
        ids.push(
          await seedDelivery(db.dataSource, {
            tenantId: tenant.id,
            endpointId: listEndpoint,
            eventId,
            status,
            createdAt: new Date(base + index * 86_400_000),
          }),
        );
      }

      const failed = await tenant.call('DeliveryService', 'ListDeliveries', {
        endpoint_id: listEndpoint,
        status: 'DELIVERY_STATUS_FAILED',
      });
      expect(failed.deliveries.map((delivery: Json) => delivery.id)).toEqual([ids[3], ids[1]]);
      const window = await tenant.call('DeliveryService', 'ListDeliveries', {
        endpoint_id: listEndpoint,
        created_gte: timestamp(new Date(base + 86_400_000)),
        created_lte: timestamp(new Date(base + 2 * 86_400_000)),
        limit: 1,
      });
      expect(window.deliveries.map((delivery: Json) => delivery.id)).toEqual([ids[2]]);
      expect(window.has_more).toBe(true);

      const reversed = await grpcFailure(
        tenant.call('DeliveryService', 'ListDeliveries', {
          endpoint_id: listEndpoint,
          created_gte: timestamp(new Date(base + 86_400_000)),
          created_lte: timestamp(new Date(base)),
        }),
      );
      expect(reversed.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(reversed.details).toBe('Invalid request: created_lte must not be before created_gte');
      expect(fieldViolations(reversed)).toEqual([
        { field: 'created_lte', description: 'must not be before created_gte' },
      ]);

      const queued = await grpcFailure(tenant.call('DeliveryService', 'Redeliver', { id: ids[2] }));
      expect([queued.code, queued.details]).toEqual([
        grpc.status.FAILED_PRECONDITION,
        `Delivery ${ids[2]} is pending; it is already queued`,
      ]);

      const tap = await TopicTap.open(createTestKafka('subscription-grpc-tasks'), DELIVERY_TASKS_TOPIC);
      const redelivered = await tenant.call('DeliveryService', 'Redeliver', { id: ids[0] });
      expect(redelivered).toEqual({
        delivery_id: ids[0],
        event_id: eventId,
        event_type: 'user.created',
        endpoint_id: listEndpoint,
        attempt: 2,
      });
      const recovered = await tenant.call('DeliveryService', 'RecoverDeliveries', {
        endpoint_id: listEndpoint,
        since: timestamp(new Date(base)),
      });
      expect(recovered).toEqual({ count: 2 });
      const tasks = decodeTasks((await tap.read()).filter((record) => record.key === listEndpoint));
      expect(tasks.map(({ task }) => [task.deliveryId, task.attempt])).toEqual([
        [ids[0], 2],
        [ids[1], 2],
        [ids[3], 2],
      ]);

      const noSince = await grpcFailure(
        tenant.call('DeliveryService', 'RecoverDeliveries', { endpoint_id: listEndpoint }),
      );
      expect(fieldViolations(noSince)).toEqual([{ field: 'since', description: 'is required' }]);
    });

    it('sends a test event: stores it and puts the attempt on the delivery tasks topic', async () => {
      const tap = await TopicTap.open(createTestKafka('subscription-grpc-tasks'), DELIVERY_TASKS_TOPIC);
      const queued = await tenant.call('EndpointService', 'SendTestEvent', { endpoint_id: endpointId });
      expect(queued).toEqual({
        delivery_id: expect.stringMatching(/^delivery_[0-9A-HJKMNP-TV-Z]{26}$/),
        event_id: expect.stringMatching(/^evt_/),
        event_type: 'payment.succeeded',
        endpoint_id: endpointId,
        attempt: 1,
      });

      const custom = await tenant.call('EndpointService', 'SendTestEvent', {
        endpoint_id: endpointId,
        type: 'user.created',
        data: {
          fields: {
            id: { stringValue: 'test_user_123' },
            email: { stringValue: 'test@example.com' },
            name: { stringValue: 'Test User' },
          },
        },
      });

      const tasks = decodeTasks((await tap.read()).filter((record) => record.key === endpointId));
      expect(tasks.map(({ task }) => task)).toEqual([
        {
          kind: 'delivery',
          v: 1,
          deliveryId: queued.delivery_id,
          eventId: queued.event_id,
          eventType: 'payment.succeeded',
          tenantId: tenant.id,
          endpointId,
          attempt: 1,
        },
        {
          kind: 'delivery',
          v: 1,
          deliveryId: custom.delivery_id,
          eventId: custom.event_id,
          eventType: 'user.created',
          tenantId: tenant.id,
          endpointId,
          attempt: 1,
        },
      ]);

      // The stored events read back as Structs, the sample data and the data given.
      const sample = await tenant.call('EventService', 'GetEvent', { id: queued.event_id });
      expect(sample).toMatchObject({ id: queued.event_id, type: 'payment.succeeded', livemode: false });
      expect(structToJson(sample.data)).toEqual(findEventType('payment.succeeded')?.sample);
      const given = await tenant.call('EventService', 'GetEvent', { id: custom.event_id });
      expect(structToJson(given.data)).toEqual({
        id: 'test_user_123',
        email: 'test@example.com',
        name: 'Test User',
      });
      const [row] = await db.dataSource.query('SELECT payload FROM events WHERE id = $1', [custom.event_id]);
      expect(row.payload.data).toEqual(structToJson(given.data));

      const listed = await tenant.call('EventService', 'ListEvents', { type: 'user.*', limit: 100 });
      expect(listed.events.map((event: Json) => event.id)).toContain(custom.event_id);
      expect(listed.events.map((event: Json) => event.id)).not.toContain(queued.event_id);
    });

    it('refuses test data that breaks the schema, naming the field, and queues nothing', async () => {
      const tap = await TopicTap.open(createTestKafka('subscription-grpc-tasks'), DELIVERY_TASKS_TOPIC);
      const error = await grpcFailure(
        tenant.call('EndpointService', 'SendTestEvent', {
          endpoint_id: endpointId,
          type: 'user.created',
          data: { fields: { id: { stringValue: 'u1' }, email: { stringValue: 'not-an-email' } } },
        }),
      );
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(fieldViolations(error).map((violation) => violation.field)).toEqual(['data.email']);
      expect((await tap.read()).filter((record) => record.key === endpointId)).toEqual([]);
    });

    it('lists the event-type catalogue with schemas', async () => {
      const { event_types: types } = await tenant.call('EventService', 'ListEventTypes');
      const userCreated = types.find((type: Json) => type.type === 'user.created');
      expect(userCreated).toMatchObject({ group: 'user', category: 'authentication' });
      expect(structToJson(userCreated.sample)).toEqual(findEventType('user.created')?.sample);
      expect(structToJson(userCreated.schema)).toEqual(
        JSON.parse(JSON.stringify(findEventType('user.created')?.schema)),
      );
    });
  });

  describe('text Postgres cannot store', () => {
    const NUL = 'contains U+0000 (NUL), which cannot be stored';
    let tenant: { id: string; key: string; call: Caller };
    let endpointId: string;

    beforeAll(async () => {
      tenant = await newTenant('Unstorable text');
      ({
        endpoint: { id: endpointId },
      } = await tenant.call('EndpointService', 'CreateEndpoint', {
        url: 'https://example.com/text',
        events: ['user.created'],
      }));
    });

    it('answers INVALID_ARGUMENT naming every field that holds a NUL, and creates nothing', async () => {
      const error = await grpcFailure(
        tenant.call('EndpointService', 'CreateEndpoint', {
          url: 'https://example.com/text',
          events: ['user.created'],
          description: 'a\u0000b',
          metadata: { region: 'eu\u0000' },
        }),
      );
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toContain(`description ${NUL}`);
      expect(error.details).toContain(`metadata.region ${NUL}`);
      // In the order the decoder produces the fields.
      const violations = fieldViolations(error);
      expect(violations).toHaveLength(2);
      expect(violations).toEqual(
        expect.arrayContaining([
          { field: 'description', description: NUL },
          { field: 'metadata.region', description: NUL },
        ]),
      );
      const [{ count }] = await db.dataSource.query(
        'SELECT count(*)::int AS count FROM endpoints WHERE tenant_id = $1',
        [tenant.id],
      );
      expect(count).toBe(1);
    });

    it('checks ids, operator calls and test data inside Structs the same way', async () => {
      const cases: Array<[Caller, ServiceName, string, object, string]> = [
        [tenant.call, 'EndpointService', 'GetEndpoint', { id: 'wh_\u0000' }, 'id'],
        [
          tenant.call,
          'DeliveryService',
          'ListDeliveries',
          { endpoint_id: endpointId, starting_after: '\u0000' },
          'starting_after',
        ],
        [operator, 'OperatorService', 'CreateTenant', { name: 'a\u0000b' }, 'name'],
        [
          tenant.call,
          'EndpointService',
          'SendTestEvent',
          {
            endpoint_id: endpointId,
            type: 'user.created',
            data: {
              fields: {
                id: { stringValue: 'usr_1' },
                profile: {
                  structValue: {
                    fields: {
                      tags: { listValue: { values: [{ stringValue: 'ok' }, { stringValue: 'x\u0000' }] } },
                    },
                  },
                },
              },
            },
          },
          'data.profile.tags[1]',
        ],
      ];
      for (const [call, serviceName, method, request, field] of cases) {
        const error = await grpcFailure(call(serviceName, method, request));
        expect([method, error.code]).toEqual([method, grpc.status.INVALID_ARGUMENT]);
        expect([method, fieldViolations(error)]).toEqual([method, [{ field, description: NUL }]]);
      }
      const [{ count }] = await db.dataSource.query(
        'SELECT count(*)::int AS count FROM events WHERE tenant_id = $1',
        [tenant.id],
      );
      expect(count).toBe(0);
    });
  });
});
