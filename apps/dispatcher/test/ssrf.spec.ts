import { randomBytes } from 'node:crypto';
import { startReceiver, type TestReceiver } from '@hookline/testing';
import { type DispatcherHarness, startDispatcher } from './dispatcher.harness';

const TENANT = `ten_ssrf_${randomBytes(4).toString('hex')}`;

describe('refusal of internal targets (SSRF)', () => {
  let harness: DispatcherHarness;
  let receiver: TestReceiver;

  beforeAll(async () => {
    // No allow-list: loopback is refused like every other internal range.
    harness = await startDispatcher({ DISPATCHER_ALLOWED_CIDRS: '' });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await harness?.close();
  });

  it('refuses private, metadata, IPv4-mapped and loopback-resolving targets and records why', async () => {
    const targets = {
      private: 'http://10.0.0.1/hook',
      metadata: 'http://169.254.169.254/latest/meta-data/',
      mapped: `http://[::ffff:127.0.0.1]:${receiver.port}/hook`,
      named: `http://localhost:${receiver.port}/hook`,
    };
    const ids: Record<string, string> = {};
    for (const [name, url] of Object.entries(targets)) {
      ids[name] = (await harness.createEndpoint(TENANT, { url, events: ['user.created'] })).id;
    }
    const event = await harness.publishEvent(TENANT, 'user.created', { id: 'user_ssrf' });

    let attempts: Array<{
      endpoint_id: string;
      error_class: string;
      error_message: string;
      status_code: number | null;
    }> = [];
    const deadline = Date.now() + 20_000;
    while (attempts.length < 4 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      attempts = await harness.db.dataSource.query(
        `SELECT endpoint_id, error_class, error_message, status_code FROM delivery_attempts WHERE event_id = $1`,
        [event.event.id],
      );
    }
    const byEndpoint = Object.fromEntries(attempts.map((a) => [a.endpoint_id, a]));
    expect(byEndpoint[ids.private]).toMatchObject({ error_class: 'blocked-address', status_code: null });
    expect(byEndpoint[ids.private].error_message).toContain('private address 10.0.0.1');
    expect(byEndpoint[ids.metadata].error_message).toContain('cloud metadata address 169.254.169.254');
    expect(byEndpoint[ids.mapped].error_message).toContain('IPv4-mapped 127.0.0.1');
    expect(byEndpoint[ids.named].error_message).toMatch(/localhost resolves to a refused address: loopback/);
    for (const attempt of attempts) expect(attempt.error_class).toBe('blocked-address');

    // Refusals are permanent: nothing retried, the deliveries are failed, and nothing reached the receiver.
    const deliveries: Array<{ status: string }> = await harness.db.dataSource.query(
      `SELECT status FROM deliveries WHERE event_id = $1`,
      [event.event.id],
    );
    expect(deliveries.map((d) => d.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(receiver.requests).toHaveLength(0);
  });
});
