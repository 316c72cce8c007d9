import { createHmac, randomBytes } from 'node:crypto';
import { encodeEndpointChange, SUBSCRIPTION_CHANGELOG_TOPIC } from '@hookline/events';
import { endpointSealContext, endpointSnapshot, sealEndpointSecrets } from '@hookline/persistence';
import { SecretSealer } from '@hookline/sealing';
import { startReceiver, type TestReceiver } from '@hookline/testing';
import { Webhook } from 'standardwebhooks';
import { deliverUserCreated, type DispatcherHarness, startDispatcher } from './dispatcher.harness';

const TENANT = `ten_seal_${randomBytes(4).toString('hex')}`;
const LEGACY = `legacy-${randomBytes(8).toString('hex')}`;
const SEALED = `whsec_${randomBytes(32).toString('base64')}`;
const TOKEN = `tok_${randomBytes(8).toString('hex')}`;

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('sealed endpoint secrets (real Kafka, Postgres and HTTP receiver)', () => {
  let harness: DispatcherHarness;
  let receiver: TestReceiver;
  let sealer: SecretSealer;

  beforeAll(async () => {
    harness = await startDispatcher();
    receiver = await startReceiver();
    sealer = new SecretSealer(harness.config.secretKeys);
  });
  afterAll(async () => {
    await receiver?.close();
    await harness?.close();
  });

  const deliverOne = (n: number) => deliverUserCreated(harness, receiver, TENANT, `user_${n}`);
  const signedWith = (request: { body: Buffer; headers: Record<string, unknown> }, secret: string) => {
    const headers = request.headers as Record<string, string>;
    let standard = true;
    try {
      (secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(secret, { format: 'raw' })).verify(
        request.body.toString(),
        headers,
      );
    } catch {
      standard = false;
    }
    const sha256 =
      headers['x-hookline-signature'] ===
      `sha256=${createHmac('sha256', secret).update(request.body).digest('hex')}`;
    return { standard, sha256 };
  };

  it('opens sealed values once per changelog record, signs and sends with them, and stores no header value', async () => {
    // Written before sealing existed: read as it is.
    const endpoint = await harness.createEndpoint(TENANT, {
      url: receiver.url,
      events: ['user.created'],
      secret: LEGACY,
      headers: { 'X-Team': 'legacy-team' },
    });
    expect(harness.runtime.view.get(endpoint.id)?.legacyPlaintext).toBe(true);
    const legacy = await deliverOne(1);
    expect(signedWith(legacy, LEGACY)).toEqual({ standard: true, sha256: true });
    expect(legacy.headers['x-team']).toBe('legacy-team');

    // Sealed, as the subscription service writes it: the view holds the opened values.
    const sealed = sealEndpointSecrets(sealer, endpoint, {
      secret: SEALED,
      previousSecret: null,
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    await harness.updateEndpoint(endpoint.id, { secret: sealed.secret, headers: { ...sealed.headers } });
    const held = harness.runtime.view.get(endpoint.id);
    expect(held).toMatchObject({ version: 2, legacyPlaintext: false, secrets: [{ secret: SEALED }] });
    expect(held?.headers).toEqual({ Authorization: `Bearer ${TOKEN}` });

    const request = await deliverOne(2);
    expect(signedWith(request, SEALED)).toEqual({ standard: true, sha256: true });
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);

    const [attempt] = await until(async () => {
      const rows: Array<{ request_headers: Record<string, string> }> = await harness.db.dataSource.query(
        'SELECT request_headers FROM delivery_attempts WHERE tenant_id = $1 AND delivery_id = $2',
        [TENANT, request.headers['x-hookline-delivery']],
      );
      return rows.length > 0 ? rows : undefined;
    }, 'the attempt record');
    // The custom header by name only; Hookline's own headers, signatures included, as sent.
    expect(attempt.request_headers).toMatchObject({
      Authorization: '[redacted]',
      'X-Hookline-Signature': request.headers['x-hookline-signature'],
    });
    expect(JSON.stringify(attempt.request_headers)).not.toContain(TOKEN);
  });

  it('does not apply a record whose values do not open, and keeps delivering with the version it holds', async () => {
    const endpoint = await harness.createEndpoint(TENANT, { url: receiver.url, events: ['user.created'] });
    const good = sealEndpointSecrets(sealer, endpoint, { secret: SEALED, previousSecret: null, headers: {} });
    const current = await harness.updateEndpoint(endpoint.id, { secret: good.secret });
    const other = await harness.createEndpoint(`${TENANT}_other`, {
      url: receiver.url,
      events: ['user.created'],
    });

    // A value sealed for another endpoint, pasted into this one's record.
    const pasted = sealer.seal('attacker-chosen', endpointSealContext(other.tenantId, other.id, 'secret'));
    const forged = {
      ...endpointSnapshot(current),
      secrets: [{ secret: pasted }],
      version: current.version + 1,
    };
    // The changelog has one partition: once the sentinel after it is applied, the forged record was read.
    const sentinel = await harness.createEndpoint(TENANT, { url: receiver.url, events: ['nothing.matches'] });
    await harness.produce(SUBSCRIPTION_CHANGELOG_TOPIC, [
      { key: endpoint.id, value: encodeEndpointChange(forged) },
    ]);
    const next = { ...endpointSnapshot(sentinel), version: sentinel.version + 1 };
    await harness.produce(SUBSCRIPTION_CHANGELOG_TOPIC, [
      { key: sentinel.id, value: encodeEndpointChange(next) },
    ]);
    await until(
      () => (harness.runtime.view.get(sentinel.id)?.version === next.version ? true : undefined),
      'the sentinel',
    );

    expect(harness.runtime.view.get(endpoint.id)).toMatchObject({
      version: current.version,
      secrets: [{ secret: SEALED }],
    });
  });
});
