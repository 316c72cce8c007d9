import { EndpointEntity } from '../entities/endpoint.entity';
import { endpointSnapshot as toEndpointSnapshot } from './endpoint-snapshot';

function endpoint(overrides: Partial<EndpointEntity> = {}): EndpointEntity {
  return Object.assign(new EndpointEntity(), {
    id: 'wh_1',
    tenantId: 'ten_1',
    url: 'https://example.com/h',
    description: 'not published',
    events: ['user.*'],
    secret: 'current-secret',
    previousSecret: null,
    previousSecretExpiresAt: null,
    headers: { 'X-Team': 'core' },
    metadata: { not: 'published' },
    active: true,
    disabledReason: null,
    disabledAt: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    version: 7,
    ...overrides,
  });
}

describe('toEndpointSnapshot', () => {
  const now = new Date('2024-01-15T10:30:00Z');

  it('carries what the dispatcher needs and nothing else', () => {
    expect(toEndpointSnapshot(endpoint(), now)).toEqual({
      id: 'wh_1',
      tenantId: 'ten_1',
      url: 'https://example.com/h',
      events: ['user.*'],
      active: true,
      secrets: [{ secret: 'current-secret' }],
      headers: { 'X-Team': 'core' },
      version: 7,
    });
  });

  it('lists the rotated-out secret after the current one while it is valid, then drops it', () => {
    const expiresAt = new Date(now.getTime() + 1000);
    const rotated = endpoint({ previousSecret: 'old-secret', previousSecretExpiresAt: expiresAt });
    expect(toEndpointSnapshot(rotated, now).secrets).toEqual([
      { secret: 'current-secret' },
      { secret: 'old-secret', expiresAt: expiresAt.getTime() },
    ]);
    expect(toEndpointSnapshot(rotated, expiresAt).secrets).toEqual([{ secret: 'current-secret' }]);
  });
});
