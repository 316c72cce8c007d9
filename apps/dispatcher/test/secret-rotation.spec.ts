import { randomBytes } from 'node:crypto';
import { appmintVerifySignature, startReceiver, type TestReceiver } from '@hookline/testing';
import { Webhook } from 'standardwebhooks';
import { deliverUserCreated, type DispatcherHarness, startDispatcher } from './dispatcher.harness';

const TENANT = `ten_rot_${randomBytes(4).toString('hex')}`;
const OLD = `whsec_${randomBytes(32).toString('base64')}`;
const NEW = `whsec_${randomBytes(32).toString('base64')}`;

describe('secret rotation window', () => {
  let harness: DispatcherHarness;
  let receiver: TestReceiver;

  beforeAll(async () => {
    harness = await startDispatcher({ HOOKLINE_PRESET: 'appmint' });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await harness?.close();
  });

  const deliverOne = (n: number) => deliverUserCreated(harness, receiver, TENANT, `user_${n}`);
  const verifies = (request: { body: Buffer; headers: Record<string, unknown> }, secret: string) => {
    const headers = request.headers as Record<string, string>;
    const standard = (() => {
      try {
        new Webhook(secret).verify(request.body.toString(), headers);
        return true;
      } catch {
        return false;
      }
    })();
    const signatures = [headers['x-appmint-signature'], headers['x-appmint-signature-previous']].filter(
      Boolean,
    );
    const sha256 = signatures.some((s) => appmintVerifySignature(request.body, s, secret));
    return { standard, sha256 };
  };

  it('signs with both secrets during the window and only the new one after it', async () => {
    const endpoint = await harness.createEndpoint(TENANT, {
      url: receiver.url,
      events: ['user.created'],
      secret: OLD,
    });
    const before = await deliverOne(1);
    expect(verifies(before, OLD)).toEqual({ standard: true, sha256: true });
    expect(verifies(before, NEW)).toEqual({ standard: false, sha256: false });

    // Rotated: the old secret stays valid for a window.
    await harness.updateEndpoint(endpoint.id, {
      secret: NEW,
      previousSecret: OLD,
      previousSecretExpiresAt: new Date(Date.now() + 3000),
    });
    const during = await deliverOne(2);
    expect(verifies(during, NEW)).toEqual({ standard: true, sha256: true });
    expect(verifies(during, OLD)).toEqual({ standard: true, sha256: true });
    // The pages' receivers read X-Appmint-Signature alone: it carries the new secret.
    expect(appmintVerifySignature(during.body, during.headers['x-appmint-signature'] as string, NEW)).toBe(
      true,
    );

    await new Promise((resolve) => setTimeout(resolve, 3200));
    const after = await deliverOne(3);
    expect(verifies(after, NEW)).toEqual({ standard: true, sha256: true });
    expect(verifies(after, OLD)).toEqual({ standard: false, sha256: false });
    expect(after.headers).not.toHaveProperty('x-appmint-signature-previous');
  });
});
