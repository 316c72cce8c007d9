import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signSha256Hex, signStandardWebhooks, verifySha256Hex, verifyStandardWebhooks } from '../src';

/** One golden vector; see README.md ("Test vectors"). */
interface Vector {
  name: string;
  secret: string;
  body: string;
  msg_id: string;
  timestamp: number;
  expected: { sha256: string; webhook_signature: string };
}

const vectors = JSON.parse(readFileSync(join(__dirname, 'vectors.json'), 'utf8')) as Vector[];

describe('golden vectors', () => {
  it('cover the cases receivers trip over', () => {
    const names = vectors.map((v) => v.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'standard-webhooks-reference',
        'empty-object-plain-secret',
        'empty-object-whsec-secret',
        'utf8-body-whsec-secret',
        'utf8-secret',
        'empty-body',
      ]),
    );
    expect(vectors.some((v) => Buffer.byteLength(v.body, 'utf8') > v.body.length)).toBe(true);
  });

  it('agree with the Standard Webhooks reference signature', () => {
    const reference = vectors.find((v) => v.name === 'standard-webhooks-reference');
    expect(reference?.expected.webhook_signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  describe.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const body = Buffer.from(v.body, 'utf8');

    it('sha256= signature matches', () => {
      expect(signSha256Hex(body, v.secret)).toBe(v.expected.sha256);
      expect(verifySha256Hex(body, v.expected.sha256, [v.secret]).ok).toBe(true);
    });

    it('Standard Webhooks signature matches', () => {
      const headers = signStandardWebhooks({
        id: v.msg_id,
        timestamp: v.timestamp,
        body,
        secrets: [v.secret],
      });
      expect(headers['webhook-signature']).toBe(v.expected.webhook_signature);
      const received = {
        'webhook-id': v.msg_id,
        'webhook-timestamp': String(v.timestamp),
        'webhook-signature': v.expected.webhook_signature,
      };
      expect(verifyStandardWebhooks(received, body, [v.secret], { now: () => v.timestamp * 1000 }).ok).toBe(
        true,
      );
    });
  });
});
