import { randomBytes } from 'node:crypto';
import type { EndpointSnapshot } from '@hookline/events';
import { SealedValueError, SecretKeyring, SecretSealer } from '@hookline/sealing';
import {
  endpointSecretsCurrent,
  openEndpointHeaders,
  openEndpointSecrets,
  openEndpointSnapshot,
  sealEndpointSecrets,
} from './endpoint-secrets';

const k1 = { kid: 'k1', key: randomBytes(32) };
const k2 = { kid: 'k2', key: randomBytes(32) };
const sealer = new SecretSealer(SecretKeyring.of([k1]));
const owner = { tenantId: 'ten_1', id: 'wh_1' };
const clear = {
  secret: 'whsec_current',
  previousSecret: 'old-secret',
  headers: { Authorization: 'Bearer downstream', 'X-Team': 'core' },
};

function snapshotOf(values: typeof clear, id = owner.id): EndpointSnapshot {
  return {
    id,
    tenantId: owner.tenantId,
    url: 'https://example.com/h',
    events: ['*'],
    active: true,
    secrets: [{ secret: values.secret }, { secret: values.previousSecret, expiresAt: 1 }],
    headers: values.headers,
    version: 3,
  };
}

describe('endpoint secrets', () => {
  it('seals every value, keeps header names, and opens them back', () => {
    const sealed = sealEndpointSecrets(sealer, owner, clear);
    expect(Object.keys(sealed.headers)).toEqual(['Authorization', 'X-Team']);
    for (const value of [sealed.secret, sealed.previousSecret, ...Object.values(sealed.headers)])
      expect(value).toMatch(/^hl1:k1:/);
    expect(JSON.stringify(sealed)).not.toMatch(/whsec_current|old-secret|downstream|core/);
    expect(openEndpointSecrets(sealer, { ...owner, ...sealed })).toEqual(clear);
    expect(openEndpointHeaders(sealer, { ...owner, headers: sealed.headers })).toEqual(clear.headers);
    expect(endpointSecretsCurrent(sealer, sealed)).toBe(true);
  });

  it('opens a changelog snapshot: current secret, rotated-out secret, headers', () => {
    const sealed = sealEndpointSecrets(sealer, owner, clear) as typeof clear;
    const opened = openEndpointSnapshot(sealer, snapshotOf(sealed));
    expect(opened).toMatchObject({
      secrets: [{ secret: 'whsec_current' }, { secret: 'old-secret', expiresAt: 1 }],
      headers: clear.headers,
      legacyPlaintext: false,
      version: 3,
    });
  });

  it('reads a snapshot written before sealing as it is, and says so', () => {
    const opened = openEndpointSnapshot(sealer, snapshotOf(clear));
    expect(opened).toMatchObject({
      secrets: [{ secret: 'whsec_current' }, { secret: 'old-secret' }],
      legacyPlaintext: true,
    });
    expect(endpointSecretsCurrent(sealer, clear)).toBe(false);
  });

  it('refuses values moved between endpoints, between fields, or between header names', () => {
    const sealed = sealEndpointSecrets(sealer, owner, clear) as typeof clear;
    const moved = [
      snapshotOf(sealed, 'wh_2'),
      snapshotOf({ ...sealed, secret: sealed.previousSecret, previousSecret: sealed.secret }),
      snapshotOf({ ...sealed, headers: { Authorization: sealed.headers['X-Team'] } }),
    ];
    for (const snapshot of moved)
      expect(() => openEndpointSnapshot(sealer, snapshot)).toThrow(SealedValueError);
    // Header names are case-insensitive, so is the binding.
    const renamed = { ...sealed, headers: { authorization: sealed.headers.Authorization } };
    expect(openEndpointSnapshot(sealer, snapshotOf(renamed)).headers).toEqual({
      authorization: 'Bearer downstream',
    });
  });

  it('counts a value sealed with an older key as not current', () => {
    const rotated = new SecretSealer(SecretKeyring.of([k2, k1]));
    const sealed = sealEndpointSecrets(sealer, owner, clear);
    expect(endpointSecretsCurrent(rotated, sealed)).toBe(false);
    expect(openEndpointSecrets(rotated, { ...owner, ...sealed })).toEqual(clear);
    expect(endpointSecretsCurrent(rotated, sealEndpointSecrets(rotated, owner, clear))).toBe(true);
  });
});
