import { createHmac, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SUBSCRIPTION_CHANGELOG_TOPIC } from '@hookline/events';
import { startReceiver, type ReceivedRequest, type TestReceiver } from '@hookline/testing';
import { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import {
  call,
  createMigratedDatabase,
  createTopics,
  loopbackPlatformEnv,
  ROOT,
  type ServiceProcess,
  startService,
} from './support/platform';

/**
 * Endpoint secrets at rest, through the built services on real Kafka and Postgres: a signing secret
 * and an `Authorization` header registered through the subscription API appear nowhere in clear, not
 * in the `endpoints` row, not in any record of the changelog, not in the stored attempt; yet the
 * dispatcher still signs with the secret and sends the header. Then a key rotation: a new key made
 * active, `scripts/secrets.mjs rotate` re-seals every value (and seals a row written before sealing
 * existed), the old key is removed, and deliveries still verify.
 */
const ADMIN = 'e2e-admin-token-secrets-0123456789';
const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const TOKEN = `tok_${randomBytes(12).toString('hex')}`;
const TEAM = `team-${randomBytes(6).toString('hex')}`;
// An endpoint stored in plaintext, as rows written before sealing are.
const LEGACY_SECRET = `legacy-${randomBytes(12).toString('hex')}`;
const LEGACY_TOKEN = `legacy_tok_${randomBytes(12).toString('hex')}`;
const CLEAR_VALUES = [SECRET, TOKEN, TEAM, LEGACY_SECRET, LEGACY_TOKEN];

/** Every record of the changelog topic, as raw bytes, from its start to its current end. */
async function changelogRecords(brokers: string): Promise<Array<{ key: string; value: Buffer | null }>> {
  const kafka = new Kafka({ clientId: 'e2e-secrets-tap', brokers: brokers.split(','), logLevel: 0 });
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin
    .fetchTopicOffsets(SUBSCRIPTION_CHANGELOG_TOPIC)
    .finally(() => admin.disconnect());
  const wanted = new Map(
    offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]),
  );
  const records: Array<{ key: string; value: Buffer | null; partition: number; offset: bigint }> = [];
  if (wanted.size === 0) return records;
  const consumer = kafka.consumer({ groupId: `e2e-secrets-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topic: SUBSCRIPTION_CHANGELOG_TOPIC, fromBeginning: true });
  const reached = new Map<number, bigint>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the changelog was not read to its end')), 60_000);
    void consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          const offset = BigInt(message.offset);
          if (offset < (wanted.get(partition) ?? 0n))
            records.push({ key: message.key?.toString() ?? '', value: message.value, partition, offset });
          reached.set(partition, offset);
          if ([...wanted].every(([p, high]) => (reached.get(p) ?? -1n) >= high - 1n)) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return records.sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
}

/** The last record of each key, in the order the topic holds them (what compaction keeps). */
function latestByKey(records: Array<{ key: string; value: Buffer | null }>): Map<string, Buffer | null> {
  const latest = new Map<string, Buffer | null>();
  for (const record of records) latest.set(record.key, record.value);
  return latest;
}

function holdsClearValue(bytes: Buffer | string): string | undefined {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return CLEAR_VALUES.find((value) => buffer.includes(Buffer.from(value, 'utf8')));
}

function verifySignatures(request: ReceivedRequest, secret: string): { standard: boolean; sha256: boolean } {
  const headers = request.headers as Record<string, string>;
  let standard = true;
  try {
    const receiver = secret.startsWith('whsec_')
      ? new Webhook(secret)
      : new Webhook(secret, { format: 'raw' });
    receiver.verify(request.body.toString('utf8'), headers);
  } catch {
    standard = false;
  }
  const expected = `sha256=${createHmac('sha256', secret).update(request.body).digest('hex')}`;
  return { standard, sha256: headers['x-hookline-signature'] === expected };
}

describe('endpoint secrets at rest', () => {
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let db: Client;
  let receiver: TestReceiver;
  let env: Record<string, string>;
  const services: ServiceProcess[] = [];
  const brokers = process.env.KAFKA_BROKERS as string;

  const start = async (name: string, keys: string) => {
    const service = await startService(name, { ...env, HOOKLINE_SECRET_KEYS: keys });
    services.push(service);
    return service;
  };
  const stopAll = async () => {
    await Promise.all(services.splice(0).map((service) => service.stop()));
  };

  beforeAll(async () => {
    database = await createMigratedDatabase(`hookline_e2e_secrets_${process.pid}`);
    db = new Client({ connectionString: database.url });
    await db.connect();
    env = {
      ...loopbackPlatformEnv(brokers, database.url, ADMIN),
      // The images' posture: the development key is refused, a configured key is required.
      NODE_ENV: 'production',
      // The receiver is on loopback, which the production posture refuses unless allowed.
      SUBSCRIPTION_ALLOWED_CIDRS: '127.0.0.0/8,::1',
      // Its own group, starting at the end: other tests' tasks are none of its business.
      DISPATCHER_GROUP_ID: `e2e-secrets-${process.pid}`,
      DISPATCHER_INITIAL_OFFSET: 'latest',
    };
    createTopics(env);
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await stopAll().catch(() => undefined);
    await receiver?.close();
    await db?.end();
    await database?.drop();
  });

  let auth: Record<string, string>;
  let tenantId: string;
  let endpointId: string;
  const legacyId = `wh_legacy_${randomBytes(6).toString('hex')}`;

  const sendTest = async (subscriptionUrl: string, id: string) => {
    const queued = await call('POST', `${subscriptionUrl}/v1/webhooks/${id}/test`, {}, auth);
    expect(queued.status).toBe(202);
    const [request] = await receiver.waitFor(
      1,
      60_000,
      (r) => JSON.parse(r.body.toString('utf8')).id === queued.body.event_id,
    );
    return { request, deliveryId: queued.body.id as string };
  };

  it('refuses to start on the development key in production posture', async () => {
    await expect(startService('dispatcher', env, 20_000)).rejects.toThrow(
      /HOOKLINE_SECRET_KEYS: is required when NODE_ENV=production/,
    );
  });

  it('stores and publishes the secret and header values sealed, and still signs and sends them', async () => {
    const subscription = await start('subscription', `k1:${K1}`);
    await start('dispatcher', `k1:${K1}`);

    const tenant = await call(
      'POST',
      `${subscription.url}/v1/admin/tenants`,
      { name: 'acme' },
      {
        authorization: `Bearer ${ADMIN}`,
      },
    );
    tenantId = tenant.body.id;
    const key = await call(
      'POST',
      `${subscription.url}/v1/admin/tenants/${tenantId}/api-keys`,
      {},
      {
        authorization: `Bearer ${ADMIN}`,
      },
    );
    auth = { authorization: `Bearer ${key.body.key}` };
    const created = await call(
      'POST',
      `${subscription.url}/v1/webhooks`,
      {
        url: receiver.url,
        events: ['user.created'],
        secret: SECRET,
        headers: { Authorization: `Bearer ${TOKEN}`, 'X-Team': TEAM },
      },
      auth,
    );
    expect(created.status).toBe(201);
    endpointId = created.body.id;
    // The API answers as it always did: the secret once, credential-like headers redacted.
    expect(created.body).toMatchObject({
      secret: SECRET,
      headers: { Authorization: '[redacted]', 'X-Team': TEAM },
    });

    // The raw row: names in clear, every value sealed with k1.
    const { rows } = await db.query('SELECT row_to_json(e)::text AS json FROM endpoints e WHERE id = $1', [
      endpointId,
    ]);
    const row = JSON.parse(rows[0].json);
    expect(holdsClearValue(rows[0].json)).toBeUndefined();
    expect(row.secret).toMatch(/^hl1:k1:/);
    expect(Object.keys(row.headers).sort()).toEqual(['Authorization', 'X-Team']);
    for (const value of Object.values(row.headers)) expect(value).toMatch(/^hl1:k1:/);

    // Every record of the changelog, as bytes.
    const records = await changelogRecords(brokers);
    expect(records.filter((r) => r.key === endpointId).length).toBeGreaterThan(0);
    expect(records.filter((r) => r.value && holdsClearValue(r.value)).map((r) => r.key)).toEqual([]);

    // Delivered: signed with the secret, carrying the header.
    const { request, deliveryId } = await sendTest(subscription.url, endpointId);
    expect(verifySignatures(request, SECRET)).toEqual({ standard: true, sha256: true });
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request.headers['x-team']).toBe(TEAM);

    // The delivery log keeps the custom headers by name only.
    let attempt: { request_headers: Record<string, string> } | undefined;
    for (let tries = 0; !attempt && tries < 300; tries += 1) {
      const found = await db.query('SELECT request_headers FROM delivery_attempts WHERE delivery_id = $1', [
        deliveryId,
      ]);
      attempt = found.rows[0];
      if (!attempt) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(attempt?.request_headers).toMatchObject({
      Authorization: '[redacted]',
      'X-Team': '[redacted]',
      'webhook-id': expect.any(String),
    });
    const log = await call('GET', `${subscription.url}/v1/deliveries/${deliveryId}`, undefined, auth);
    expect(log.status).toBe(200);
    expect(holdsClearValue(JSON.stringify(log.body))).toBeUndefined();
  });

  it('rotates: a new active key, the rotate command, the old key removed, deliveries still verify', async () => {
    // A row written before sealing existed: plaintext secret and header value, never published.
    await db.query(
      `INSERT INTO endpoints (id, tenant_id, url, events, secret, headers, version)
       VALUES ($1, $2, $3, '{user.created}', $4, $5::jsonb, 1)`,
      [
        legacyId,
        tenantId,
        receiver.url,
        LEGACY_SECRET,
        JSON.stringify({ Authorization: `Bearer ${LEGACY_TOKEN}` }),
      ],
    );
    await stopAll();
    // Step 1 and 2 of the runbook at once here: k2 added and made active, k1 kept to open old values.
    const subscription = await start('subscription', `k2:${K2},k1:${K1}`);
    await start('dispatcher', `k2:${K2},k1:${K1}`);

    const run = (mode: string) =>
      spawnSync(process.execPath, [join(ROOT, 'scripts', 'secrets.mjs'), mode, '--batch-size', '1'], {
        cwd: ROOT,
        env: { ...process.env, ...env, HOOKLINE_SECRET_KEYS: `k2:${K2},k1:${K1}` },
        encoding: 'utf8',
      });
    const rotated = run('rotate');
    expect({ status: rotated.status, stderr: rotated.stderr }).toEqual({
      status: 0,
      stderr: expect.any(String),
    });
    expect(rotated.stdout).toContain(
      'done: 2 endpoint(s), 1 sealed, 1 re-sealed with "k2", 0 unchanged, 0 failed; 2 changelog record(s) written.',
    );
    expect(holdsClearValue(rotated.stdout + rotated.stderr)).toBeUndefined();
    // Idempotent: a second run finds nothing to do and republishes the same state.
    const again = run('rotate');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(
      'done: 2 endpoint(s), 0 sealed, 0 re-sealed with "k2", 2 unchanged, 0 failed',
    );

    const { rows } = await db.query('SELECT id, row_to_json(e)::text AS json FROM endpoints e ORDER BY id');
    expect(rows.map((r) => r.id).sort()).toEqual([endpointId, legacyId].sort());
    for (const { json } of rows) {
      const row = JSON.parse(json);
      expect(holdsClearValue(json)).toBeUndefined();
      for (const value of [row.secret, ...Object.values(row.headers)]) expect(value).toMatch(/^hl1:k2:/);
    }
    // The running service reads both, the formerly plaintext one included, as it always answered.
    const legacyView = await call('GET', `${subscription.url}/v1/webhooks/${legacyId}`, undefined, auth);
    expect(legacyView.body.headers).toEqual({ Authorization: '[redacted]' });

    // What compaction keeps of the changelog — the latest record of each endpoint — holds only k2 values.
    const latest = latestByKey(await changelogRecords(brokers));
    for (const id of [endpointId, legacyId]) {
      const value = latest.get(id);
      expect(value).toBeTruthy();
      expect(holdsClearValue(value as Buffer)).toBeUndefined();
      expect((value as Buffer).toString('utf8')).not.toMatch(/hl1:k1:/);
      expect((value as Buffer).toString('utf8')).toMatch(/hl1:k2:/);
    }

    // Step 4: k1 removed everywhere; both endpoints still deliver, signed and with their header.
    await stopAll();
    const after = await start('subscription', `k2:${K2}`);
    await start('dispatcher', `k2:${K2}`);
    const first = await sendTest(after.url, endpointId);
    expect(verifySignatures(first.request, SECRET)).toEqual({ standard: true, sha256: true });
    expect(first.request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const legacy = await sendTest(after.url, legacyId);
    expect(verifySignatures(legacy.request, LEGACY_SECRET)).toEqual({ standard: true, sha256: true });
    expect(legacy.request.headers.authorization).toBe(`Bearer ${LEGACY_TOKEN}`);
    // The API still reads and changes the endpoint under the new key alone.
    const fetched = await call('GET', `${after.url}/v1/webhooks/${endpointId}`, undefined, auth);
    expect(fetched.body.headers).toEqual({ Authorization: '[redacted]', 'X-Team': TEAM });
  });
});
