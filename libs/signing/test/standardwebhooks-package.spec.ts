import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { signStandardWebhooks, verifyStandardWebhooks } from '../src';

/**
 * The `standardwebhooks` reference package must accept what we send, and we must accept what it
 * signs. It reads the real clock, so messages are signed with the current time.
 */

const CURRENT = 'whsec_3CI8jBI1Ew0O4SKqVvCiqrm3zwIHqWSH5FZ3fHl8yGA=';
const PREVIOUS = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const body = Buffer.from(
  '{"id":"evt_01HMA6Z4K3ZJ8XW9Q5T7C2B1N0","type":"user.created","data":{"city":"東京"}}',
);
const nowSec = () => Math.floor(Date.now() / 1000);

function sign(secrets: string[], timestamp = nowSec(), payload: Buffer = body) {
  return signStandardWebhooks({ id: 'evt_01HMA6Z4K3ZJ8XW9Q5T7C2B1N0', timestamp, body: payload, secrets });
}

describe('standardwebhooks package', () => {
  it('verifies our headers with a whsec_ secret', () => {
    expect(new Webhook(CURRENT).verify(body, sign([CURRENT]))).toEqual(JSON.parse(body.toString('utf8')));
  });

  it('verifies with either secret while one rotates', () => {
    const headers = sign([CURRENT, PREVIOUS]);
    expect(() => new Webhook(CURRENT).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(PREVIOUS).verify(body, headers)).not.toThrow();
  });

  it('verifies a plain secret only in raw format, which keys it with its bytes as we do', () => {
    const headers = sign(['your-webhook-secret']);
    expect(() => new Webhook('your-webhook-secret', { format: 'raw' }).verify(body, headers)).not.toThrow();
    // The default format base64-decodes any secret and cannot take this one.
    expect(() => new Webhook('your-webhook-secret')).toThrow();
  });

  it('rejects a tampered body', () => {
    const headers = sign([CURRENT]);
    const tampered = Buffer.from(body.toString('utf8').replace('東京', '大阪'));
    expect(() => new Webhook(CURRENT).verify(tampered, headers)).toThrow(WebhookVerificationError);
  });

  it('rejects a wrong secret', () => {
    expect(() => new Webhook(PREVIOUS).verify(body, sign([CURRENT]))).toThrow(WebhookVerificationError);
  });

  it('rejects a stale timestamp', () => {
    const headers = sign([CURRENT], nowSec() - 3600);
    expect(() => new Webhook(CURRENT).verify(body, headers)).toThrow('Message timestamp too old');
  });

  it('produces signatures our verifier accepts', () => {
    const timestamp = nowSec();
    const signature = new Webhook(PREVIOUS).sign(
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      new Date(timestamp * 1000),
      body,
    );
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
    };
    expect(
      verifyStandardWebhooks(headers, body, [CURRENT, PREVIOUS], { now: () => timestamp * 1000 }),
    ).toEqual({
      ok: true,
      secretIndex: 1,
    });
  });
});
