import { createHmac } from 'node:crypto';
import { PRESETS } from '@hookline/presets';
import { Webhook } from 'standardwebhooks';
import { buildDeliveryHeaders } from './delivery-headers';

const body = Buffer.from('{"id":"evt_01","type":"user.created","data":{"name":"Zoë"}}');
const base = {
  brand: PRESETS.appmint.brand,
  schemes: PRESETS.appmint.signatureSchemes,
  eventId: 'evt_01JABCDEF',
  eventType: 'user.created',
  deliveryId: 'delivery_01JABC',
  body,
  secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
  customHeaders: {},
  timestampSec: Math.floor(Date.now() / 1000),
};

describe('buildDeliveryHeaders', () => {
  it('carries the pages headers, signed over the exact body', () => {
    const headers = buildDeliveryHeaders(base);
    const hex = createHmac('sha256', base.secrets[0]).update(body).digest('hex');
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Appmint-Webhooks/1.0',
      'X-Appmint-Signature': `sha256=${hex}`,
      'X-Appmint-Event-Type': 'user.created',
      'X-Appmint-Event-Id': 'evt_01JABCDEF',
      'X-Appmint-Delivery': 'delivery_01JABC',
      'webhook-id': 'evt_01JABCDEF',
    });
    expect(() => new Webhook(base.secrets[0]).verify(body.toString(), headers)).not.toThrow();
  });

  it('lets custom headers through but never over ours', () => {
    const headers = buildDeliveryHeaders({
      ...base,
      customHeaders: {
        Authorization: 'Bearer your-api-token',
        'X-Custom-Header': 'value',
        'x-appmint-signature': 'sha256=forged',
        'X-Appmint-Anything': 'no',
        'Content-Type': 'text/plain',
        'Webhook-Signature': 'v1,forged',
        Host: 'evil.example',
      },
    });
    expect(headers.Authorization).toBe('Bearer your-api-token');
    expect(headers['X-Custom-Header']).toBe('value');
    const names = Object.keys(headers).map((n) => n.toLowerCase());
    expect(names.filter((n) => n === 'x-appmint-signature')).toHaveLength(1);
    expect(names).not.toContain('x-appmint-anything');
    expect(names).not.toContain('host');
    expect(headers['content-type']).toBe('application/json');
    expect(headers['webhook-signature']).not.toContain('forged');
    expect(headers['X-Appmint-Signature']).not.toContain('forged');
  });

  it('signs with both secrets while one rotates', () => {
    const secrets = ['new-secret', 'old-secret'];
    const headers = buildDeliveryHeaders({ ...base, secrets });
    const sig = (s: string) => `sha256=${createHmac('sha256', s).update(body).digest('hex')}`;
    expect(headers['X-Appmint-Signature']).toBe(sig('new-secret'));
    expect(headers['X-Appmint-Signature-Previous']).toBe(sig('old-secret'));
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
  });

  it('omits a scheme the preset does not use', () => {
    const headers = buildDeliveryHeaders({ ...base, schemes: ['sha256-hex'] });
    expect(headers).not.toHaveProperty('webhook-signature');
    expect(headers).toHaveProperty('X-Appmint-Signature');
  });
});
