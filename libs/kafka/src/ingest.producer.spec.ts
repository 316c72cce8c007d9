import { ingestKey } from './ingest.producer';

describe('ingestKey', () => {
  it('keys by subject when given', () => {
    expect(ingestKey({ type: 'user.updated', data: { id: 'usr_1' }, subject: 'org_9' })).toBe('org_9');
  });

  it('falls back to data.id, which every event carries', () => {
    expect(ingestKey({ type: 'user.updated', data: { id: 'usr_1' } })).toBe('usr_1');
  });

  it('prefixes the tenant so tenants never share a key', () => {
    expect(ingestKey({ type: 'user.updated', data: { id: 'usr_1' } }, 'acme')).toBe('acme:usr_1');
  });
});
