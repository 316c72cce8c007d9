import type { OpenedEndpointSnapshot } from '@hookline/persistence';
import { EndpointView } from './endpoint-view';

const endpoint = (
  id: string,
  events: string[],
  extra: Partial<OpenedEndpointSnapshot> = {},
): OpenedEndpointSnapshot => ({
  id,
  tenantId: 'ten_a',
  url: `https://example.com/${id}`,
  events,
  active: true,
  secrets: [{ secret: 'whsec_x' }],
  headers: {},
  legacyPlaintext: false,
  version: 1,
  ...extra,
});

describe('EndpointView', () => {
  it('matches exact names, group wildcards and *, for the tenant only', () => {
    const view = new EndpointView();
    view.upsert(endpoint('wh_1', ['user.created']));
    view.upsert(endpoint('wh_2', ['user.*']));
    view.upsert(endpoint('wh_3', ['*']));
    view.upsert(endpoint('wh_4', ['payment.succeeded']));
    view.upsert(endpoint('wh_5', ['*'], { tenantId: 'ten_b' }));
    expect(view.match('ten_a', 'user.created').map((e) => e.id)).toEqual(['wh_1', 'wh_2', 'wh_3']);
    expect(view.match('ten_a', 'user.deleted').map((e) => e.id)).toEqual(['wh_2', 'wh_3']);
    expect(view.match('ten_a', 'payment.succeeded').map((e) => e.id)).toEqual(['wh_3', 'wh_4']);
    expect(view.match('ten_c', 'user.created')).toEqual([]);
  });

  it('drops disabled and deleted endpoints from matches at once', () => {
    const view = new EndpointView();
    view.upsert(endpoint('wh_1', ['*']));
    view.upsert(endpoint('wh_2', ['*']));
    expect(view.match('ten_a', 'user.created')).toHaveLength(2);
    view.upsert(endpoint('wh_1', ['*'], { active: false, version: 2 }));
    expect(view.match('ten_a', 'user.created').map((e) => e.id)).toEqual(['wh_2']);
    view.remove('wh_2');
    expect(view.match('ten_a', 'user.created')).toEqual([]);
    expect(view.get('wh_1')?.active).toBe(false);
    expect(view.get('wh_2')).toBeUndefined();
  });

  it('ignores a stale record', () => {
    const view = new EndpointView();
    view.upsert(endpoint('wh_1', ['user.created'], { version: 3 }));
    view.upsert(endpoint('wh_1', ['*'], { version: 2 }));
    expect(view.get('wh_1')?.events).toEqual(['user.created']);
    view.upsert(endpoint('wh_1', ['user.updated'], { version: 4 }));
    expect(view.match('ten_a', 'user.updated').map((e) => e.id)).toEqual(['wh_1']);
    expect(view.match('ten_a', 'user.created')).toEqual([]);
  });
});
