import { createHmac } from 'node:crypto';
import { signStandardWebhooks, verifyStandardWebhooks } from './standard-webhooks.signature';

const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEXT = 'whsec_3CI8jBI1Ew0O4SKqVvCiqrm3zwIHqWSH5FZ3fHl8yGA=';
const T = 1_705_314_600;
const at = (seconds: number) => () => seconds * 1000;
const body = Buffer.from('{"id":"evt_01HMA6Z4K3ZJ8XW9Q5T7C2B1N0","data":{"city":"東京"}}', 'utf8');
const message = { id: 'evt_01HMA6Z4K3ZJ8XW9Q5T7C2B1N0', timestamp: T, body, secrets: [WHSEC] };

describe('signStandardWebhooks', () => {
  it('matches the published Standard Webhooks example', () => {
    const headers = signStandardWebhooks({
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: Buffer.from('{"test": 2432232314}'),
      secrets: [WHSEC],
    });
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('keys a plain secret with its UTF-8 bytes', () => {
    const headers = signStandardWebhooks({ ...message, secrets: ['your-webhook-secret'] });
    const expected = createHmac('sha256', Buffer.from('your-webhook-secret', 'utf8'))
      .update(Buffer.concat([Buffer.from(`${message.id}.${T}.`), body]))
      .digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('emits one signature per secret, in order, space-separated', () => {
    const both = signStandardWebhooks({ ...message, secrets: [NEXT, WHSEC] })['webhook-signature'].split(' ');
    expect(both).toEqual([
      signStandardWebhooks({ ...message, secrets: [NEXT] })['webhook-signature'],
      signStandardWebhooks({ ...message, secrets: [WHSEC] })['webhook-signature'],
    ]);
  });

  it.each(['', 'evt.1', 'evt 1', 'evt,1', 'évt', 'x'.repeat(256)])('refuses the id %j', (id) => {
    expect(() => signStandardWebhooks({ ...message, id })).toThrow(TypeError);
  });

  it.each([-1, 1.5, Number.NaN])('refuses the timestamp %p', (timestamp) => {
    expect(() => signStandardWebhooks({ ...message, timestamp })).toThrow(TypeError);
  });

  it.each(['whsec_not base64', 'whsec_abc', 'whsec_', ''])(
    'refuses the secret %j without echoing it',
    (secret) => {
      expect(() => signStandardWebhooks({ ...message, secrets: [secret] })).toThrow(TypeError);
      try {
        signStandardWebhooks({ ...message, secrets: [secret] });
      } catch (error) {
        if (secret.length > 6) expect((error as Error).message).not.toContain(secret.slice(6));
      }
    },
  );

  it('refuses an empty secret list', () => {
    expect(() => signStandardWebhooks({ ...message, secrets: [] })).toThrow(TypeError);
  });
});

describe('verifyStandardWebhooks', () => {
  const headers = signStandardWebhooks(message);

  it('accepts its own headers at the signing time', () => {
    expect(verifyStandardWebhooks(headers, body, [WHSEC], { now: at(T) })).toEqual({
      ok: true,
      secretIndex: 0,
    });
  });

  it('matches header names case-insensitively and accepts single-element arrays', () => {
    const mixed = {
      'Webhook-Id': headers['webhook-id'],
      'WEBHOOK-TIMESTAMP': [headers['webhook-timestamp']],
      'webhook-Signature': headers['webhook-signature'],
    };
    expect(verifyStandardWebhooks(mixed, body, [WHSEC], { now: at(T) }).ok).toBe(true);
  });

  it('accepts during rotation with either secret, and reports which', () => {
    const rotating = signStandardWebhooks({ ...message, secrets: [NEXT, WHSEC] });
    expect(verifyStandardWebhooks(rotating, body, [WHSEC], { now: at(T) })).toEqual({
      ok: true,
      secretIndex: 0,
    });
    expect(verifyStandardWebhooks(rotating, body, ['whsec_AAAA', NEXT], { now: at(T) })).toEqual({
      ok: true,
      secretIndex: 1,
    });
  });

  it('skips signatures of other versions and garbage entries', () => {
    const mixed = {
      ...headers,
      'webhook-signature': `v1a,${'A'.repeat(88)} v1,short v2,x ${headers['webhook-signature']}`,
    };
    expect(verifyStandardWebhooks(mixed, body, [WHSEC], { now: at(T) }).ok).toBe(true);
  });

  it('rejects a tampered body', () => {
    const tampered = Buffer.from(body.toString('utf8').replace('東京', '大阪'), 'utf8');
    expect(verifyStandardWebhooks(headers, tampered, [WHSEC], { now: at(T) })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('rejects a wrong secret', () => {
    expect(verifyStandardWebhooks(headers, body, [NEXT], { now: at(T) })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('rejects a changed id or timestamp, since both are signed', () => {
    const otherId = { ...headers, 'webhook-id': 'evt_other' };
    const otherTime = { ...headers, 'webhook-timestamp': String(T + 1) };
    expect(verifyStandardWebhooks(otherId, body, [WHSEC], { now: at(T) }).ok).toBe(false);
    expect(verifyStandardWebhooks(otherTime, body, [WHSEC], { now: at(T) }).ok).toBe(false);
  });

  it('applies the tolerance in both directions, inclusive', () => {
    const verify = (nowSec: number, toleranceSec?: number) =>
      verifyStandardWebhooks(headers, body, [WHSEC], { now: at(nowSec), toleranceSec });
    expect(verify(T + 300).ok).toBe(true);
    expect(verify(T - 300).ok).toBe(true);
    expect(verify(T + 301)).toEqual({ ok: false, reason: 'stale-timestamp' });
    expect(verify(T - 301)).toEqual({ ok: false, reason: 'future-timestamp' });
    expect(verify(T + 30, 10)).toEqual({ ok: false, reason: 'stale-timestamp' });
  });

  it('reports a stale timestamp even when the signature is valid', () => {
    const old = signStandardWebhooks({ ...message, timestamp: T - 3600 });
    expect(verifyStandardWebhooks(old, body, [WHSEC], { now: at(T) })).toEqual({
      ok: false,
      reason: 'stale-timestamp',
    });
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const)(
    'reports a missing %s',
    (name) => {
      const partial: Record<string, string> = { ...headers };
      delete partial[name];
      expect(verifyStandardWebhooks(partial, body, [WHSEC], { now: at(T) })).toEqual({
        ok: false,
        reason: 'missing-header',
      });
    },
  );

  it.each([
    { 'webhook-timestamp': 'hello' },
    { 'webhook-timestamp': '1705314600abc' },
    { 'webhook-timestamp': '-1705314600' },
    { 'webhook-id': ['a', 'b'] },
  ])('reports malformed headers %#', (override) => {
    expect(verifyStandardWebhooks({ ...headers, ...override }, body, [WHSEC], { now: at(T) })).toEqual({
      ok: false,
      reason: 'malformed-header',
    });
  });

  it('rejects a header with no v1 signature', () => {
    const none = { ...headers, 'webhook-signature': 'v1, v1a,abc' };
    expect(verifyStandardWebhooks(none, body, [WHSEC], { now: at(T) })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('reads the real clock when none is given', () => {
    const fresh = signStandardWebhooks({ ...message, timestamp: Math.floor(Date.now() / 1000) });
    expect(verifyStandardWebhooks(fresh, body, [WHSEC]).ok).toBe(true);
    expect(verifyStandardWebhooks(headers, body, [WHSEC])).toEqual({ ok: false, reason: 'stale-timestamp' });
  });
});
