import { validateEvents } from './event-batch.validator';

const NUL = 'contains U+0000 (NUL), which cannot be stored';
const SURROGATE = 'contains an unpaired UTF-16 surrogate (U+D800 to U+DFFF), which cannot be stored';

describe('validateEvents: text Postgres cannot store', () => {
  it('accepts storable text, surrogate pairs included', () => {
    const event = { type: 'user.created', data: { id: 'usr_1', name: 'Ada \ud83d\ude00' } };
    expect(validateEvents([event], false, undefined)).toEqual({ kind: 'valid', events: [event] });
  });

  it('refuses a NUL or a lone surrogate anywhere in an event, naming the field', () => {
    const outcome = validateEvents(
      [
        {
          type: 'user.updated',
          data: { id: 'usr_1', name: 'a\u0000b' },
          previous_attributes: { name: 'old\ud800' },
          request: { id: 'req_1', idempotency_key: 'key\u0000' },
        },
      ],
      false,
      undefined,
    );
    expect(outcome).toEqual({
      kind: 'invalid',
      message: 'the event is invalid',
      fields: [
        { field: 'data.name', message: NUL },
        { field: 'previous_attributes.name', message: SURROGATE },
        { field: 'request.idempotency_key', message: NUL },
      ],
    });
  });

  it('names the event of a batch, and reports schema problems next to the text ones', () => {
    const outcome = validateEvents(
      [
        { type: 'user.created', data: { id: 'usr_ok' } },
        { type: 'user.created', data: { id: 'usr_2', email: '\ud800' } },
        { type: 'user.created', data: { id: 'usr_3' }, previous_attributes: { 'k\u0000': 1 } },
      ],
      true,
      undefined,
    );
    expect(outcome).toEqual({
      kind: 'invalid',
      message: '2 of 3 events are invalid; none was accepted',
      fields: [
        { field: 'events[1].data.email', message: 'must match format "email"' },
        { field: 'events[1].data.email', message: SURROGATE },
        {
          field: 'events[2].previous_attributes.k\\u0000',
          message: 'is a key that contains U+0000 (NUL), which cannot be stored',
        },
      ],
    });
  });

  it('reports a NUL in the type as well as the unknown type it makes', () => {
    const outcome = validateEvents([{ type: 'user.created\u0000', data: { id: 'u' } }], false, undefined);
    expect(outcome).toEqual({
      kind: 'invalid',
      message: 'the event is invalid',
      fields: [
        { field: 'type', message: 'unknown event type "user.created\\u0000"' },
        { field: 'type', message: NUL },
      ],
    });
  });
});
