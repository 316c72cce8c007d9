import { ValidationError } from '../errors/domain.errors';
import type { UpdateEndpointRequest } from './admin.messages';
import {
  createEndpointInput,
  deliveryStatusFilter,
  pageInput,
  requireIds,
  updateEndpointInput,
} from './admin.requests';

const blankUpdate: UpdateEndpointRequest = {
  id: 'wh_1',
  url: '',
  events: [],
  metadata: {},
  headers: {},
  active: false,
  update_mask: null,
};

function fieldsOf(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof ValidationError) return error.fields.map((field) => field.field);
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('updateEndpointInput', () => {
  it('takes exactly the fields the mask names, clearing the named ones that are unset or empty', () => {
    expect(
      updateEndpointInput({
        ...blankUpdate,
        url: 'https://not-named.example.com',
        update_mask: { paths: ['active', 'metadata', 'description'] },
      }),
    ).toEqual({ active: false, clear: ['description', 'metadata'] });
    expect(
      updateEndpointInput({
        ...blankUpdate,
        headers: { 'X-A': 'b' },
        update_mask: { paths: ['headers', 'description'] },
      }),
    ).toEqual({ headers: { 'X-A': 'b' }, clear: ['description'] });
  });

  it('refuses to clear the url or the events, which an endpoint cannot be without', () => {
    expect(
      fieldsOf(() => updateEndpointInput({ ...blankUpdate, update_mask: { paths: ['events', 'url'] } })),
    ).toEqual(['url', 'events']);
  });

  it('takes the populated fields when there is no mask', () => {
    expect(updateEndpointInput({ ...blankUpdate, events: ['user.*'], description: '' })).toEqual({
      events: ['user.*'],
      description: '',
    });
    expect(updateEndpointInput({ ...blankUpdate, active: true, headers: { 'X-A': 'b' } })).toEqual({
      headers: { 'X-A': 'b' },
      active: true,
    });
    expect(updateEndpointInput(blankUpdate)).toEqual({});
  });

  it('refuses unknown paths and the secret, naming each', () => {
    expect(
      fieldsOf(() =>
        updateEndpointInput({ ...blankUpdate, update_mask: { paths: ['url', 'secret', 'id'] } }),
      ),
    ).toEqual(['update_mask.paths[1]', 'update_mask.paths[2]']);
  });
});

describe('createEndpointInput', () => {
  it('treats an empty url and empty events as not given, and leaves unset optionals out', () => {
    expect(createEndpointInput({ url: '', events: [], metadata: {}, headers: {} })).toEqual({
      metadata: {},
      headers: {},
    });
    expect(
      createEndpointInput({
        url: 'https://a.example.com',
        events: ['*'],
        metadata: {},
        headers: {},
        active: false,
        description: '',
      }),
    ).toEqual({
      url: 'https://a.example.com',
      events: ['*'],
      metadata: {},
      headers: {},
      active: false,
      description: '',
    });
  });
});

describe('list inputs', () => {
  it('reads 0 and empty as not given', () => {
    expect(pageInput({ limit: 0, starting_after: '' })).toEqual({
      limit: undefined,
      startingAfter: undefined,
    });
    expect(pageInput({ limit: 5, starting_after: 'wh_1' })).toEqual({ limit: 5, startingAfter: 'wh_1' });
  });

  it.each([
    ['DELIVERY_STATUS_UNSPECIFIED', undefined],
    [0, undefined],
    ['DELIVERY_STATUS_AWAITING_RETRY', 'awaiting_retry'],
    ['DELIVERY_STATUS_FAILED', 'failed'],
    [42, '42'],
  ] as const)('maps the status filter %p to %p', (given, expected) => {
    expect(deliveryStatusFilter(given)).toBe(expected);
  });

  it('requires ids, naming each missing one', () => {
    expect(fieldsOf(() => requireIds({ tenant_id: '', key_id: '' }))).toEqual(['tenant_id', 'key_id']);
    expect(() => requireIds({ id: 'wh_1' })).not.toThrow();
  });
});
