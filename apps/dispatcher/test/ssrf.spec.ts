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

  it('refuses private, metadata, embedded-IPv4 and loopback-resolving targets and records only the class', async () => {
    const targets: Record<string, { url: string; message: string; address: string }> = {
      private: {
        url: 'http://10.0.0.1/hook',
        message: "the URL's host is a private network address",
        address: '10.0.0.1',
      },
      metadata: {
        url: 'http://169.254.169.254/latest/meta-data/',
        message: "the URL's host is a cloud metadata address",
        address: '169.254.169.254',
      },
      mapped: {
        url: `http://[::ffff:127.0.0.1]:${receiver.port}/hook`,
        message: "the URL's host is a loopback address",
        address: '7f00:1',
      },
      compatible: {
        url: `http://[::127.0.0.1]:${receiver.port}/hook`,
        message: "the URL's host is a loopback address",
        address: '7f00:1',
      },
      sixToFour: {
        url: 'http://[2002:a9fe:a9fe::]/hook',
        message: "the URL's host is a cloud metadata address",
        address: 'a9fe',
      },
      teredo: {
        url: 'http://[2001::a9fe:a9fe]/hook',
        message: "the URL's host is an unspecified address",
        address: 'a9fe',
      },
      named: {
        url: `http://localhost:${receiver.port}/hook`,
        message: 'localhost resolves to a loopback address',
        address: '127.0.0.1',
      },
    };
    const ids: Record<string, string> = {};
    for (const [name, { url }] of Object.entries(targets)) {
      ids[name] = (await harness.createEndpoint(TENANT, { url, events: ['user.created'] })).id;
    }
    const count = Object.keys(targets).length;
    const event = await harness.publishEvent(TENANT, 'user.created', { id: 'user_ssrf' });

    let attempts: Array<{
      endpoint_id: string;
      error_class: string;
      error_message: string;
      status_code: number | null;
    }> = [];
    const deadline = Date.now() + 20_000;
    while (attempts.length < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      attempts = await harness.db.dataSource.query(
        `SELECT endpoint_id, error_class, error_message, status_code FROM delivery_attempts WHERE event_id = $1`,
        [event.event.id],
      );
    }
    const byEndpoint = Object.fromEntries(attempts.map((a) => [a.endpoint_id, a]));
    for (const [name, { message, address }] of Object.entries(targets)) {
      const attempt = byEndpoint[ids[name]];
      expect({ name, ...attempt }).toMatchObject({
        name,
        error_class: 'blocked-address',
        status_code: null,
        error_message: `blocked-address: ${message}`,
      });
      // The class is the tenant's answer; the address (resolved or literal) is not.
      expect(attempt.error_message).not.toContain(address);
    }

    // Refusals are permanent: nothing retried, the deliveries are failed, and nothing reached the receiver.
    const deliveries: Array<{ status: string }> = await harness.db.dataSource.query(
      `SELECT status FROM deliveries WHERE event_id = $1`,
      [event.event.id],
    );
    expect(deliveries.map((d) => d.status)).toEqual(new Array(count).fill('failed'));
    expect(receiver.requests).toHaveLength(0);
  });
});
