import { mintApiKey } from '@hookline/tenancy';
import { type JsonAnswer, lastKeyUse, requestFrom } from '@hookline/testing';
import type { Kafka } from 'kafkajs';
import { ensureIntakeTopics, type IngestUnderTest, startIngest, testKafka } from './support/ingest.harness';

const EVENT = JSON.stringify({
  type: 'user.created',
  data: { id: 'usr_brake', email: 'brake@example.com', name: 'Brake', created_at: '2024-01-15T10:30:00Z' },
});

/** Posts `EVENT` to `POST /v1/events` from `localAddress` (a loopback address of its own). */
function postFrom(ingest: IngestUnderTest, localAddress: string, authorization: string): Promise<JsonAnswer> {
  return requestFrom(new URL('/v1/events', ingest.service.url), localAddress, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: EVENT,
  });
}

describe('brake on failed authentications (real HTTP, Kafka and Postgres)', () => {
  const FAILURES = 5;
  let kafka: Kafka;
  let ingest: IngestUnderTest;
  let stopped = false;
  const began = new Date();

  beforeAll(async () => {
    kafka = testKafka();
    await ensureIntakeTopics(kafka);
    ingest = await startIngest({
      env: {
        AUTH_BRAKE_FAILURES: String(FAILURES),
        AUTH_BRAKE_WINDOW: '10m',
        API_KEY_LAST_USED_INTERVAL: '10m',
      },
    });
  });
  afterAll(async () => {
    if (stopped) await ingest.db.drop();
    else await ingest?.close();
  });

  it('answers 429 with Retry-After after repeated failures from one address; other addresses go on', async () => {
    const attacker = '127.0.0.2';
    for (let attempt = 0; attempt < FAILURES; attempt += 1) {
      const refused = await postFrom(ingest, attacker, `Bearer ${mintApiKey().key}`);
      expect([refused.status, refused.body.error.type]).toEqual([401, 'authentication_failed']);
    }

    const braked = await postFrom(ingest, attacker, `Bearer ${mintApiKey().key}`);
    expect(braked.status).toBe(429);
    const retryAfter = Number(braked.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(braked.body).toEqual({
      error: {
        type: 'rate_limited',
        message: `too many failed authentications from this address or for this key; retry in ${retryAfter} s`,
      },
    });
    // Anything else from that address is braked too, malformed headers included.
    expect((await postFrom(ingest, attacker, 'Basic dXNlcjpwYXNz')).status).toBe(429);

    // The tenant's valid key, from another address, is unaffected.
    const accepted = await postFrom(ingest, '127.0.0.3', `Bearer ${ingest.tenant.apiKey}`);
    expect(accepted.status).toBe(202);
    expect(accepted.body.type).toBe('user.created');
    const sameAddressWrongKey = await postFrom(ingest, '127.0.0.3', `Bearer ${mintApiKey().key}`);
    expect(sameAddressWrongKey.status).toBe(401);
  });

  it("records the key's last use, written at the latest when the service stops", async () => {
    const { db, tenant } = ingest;
    const accepted = await postFrom(ingest, '127.0.0.4', `Bearer ${tenant.apiKey}`);
    expect(accepted.status).toBe(202);
    // Not a write per request: the periodic write (every 10 minutes here) has not come yet.
    expect(await lastKeyUse(db.dataSource, tenant.id)).toBeNull();

    stopped = true;
    await ingest.service.close();
    const used = await lastKeyUse(db.dataSource, tenant.id);
    expect(used).toBeInstanceOf(Date);
    expect(used?.getTime()).toBeGreaterThanOrEqual(began.getTime());
    expect(used?.getTime()).toBeLessThanOrEqual(Date.now());
  });
});
