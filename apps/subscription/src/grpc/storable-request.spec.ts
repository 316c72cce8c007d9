import { Metadata, status } from '@grpc/grpc-js';
import type { MessageHandler } from '@nestjs/microservices';
import { firstValueFrom, isObservable, type Observable } from 'rxjs';
import type { GrpcErrorAnswer } from './grpc-exception.filter';
import { STATUS_DETAILS_TRAILER } from './grpc-status-details';
import { refusingUnstorableText, unstorableMessageText } from './storable-request';

const NUL = 'contains U+0000 (NUL), which cannot be stored';

describe('unstorableMessageText', () => {
  it('names fields of a request message as the API does, Struct contents by their JSON path', () => {
    expect(
      unstorableMessageText({
        id: 'wh_1',
        description: 'a\u0000b',
        metadata: { region: 'eu', 'k\u0000': 'v' },
        data: { fields: { name: { kind: 'stringValue', stringValue: 'x\u0000' } } },
      }),
    ).toEqual([
      { field: 'description', message: NUL },
      {
        field: 'metadata.k\\u0000',
        message: 'is a key that contains U+0000 (NUL), which cannot be stored',
      },
      { field: 'data.name', message: NUL },
    ]);
  });

  it('finds nothing in a storable message', () => {
    expect(unstorableMessageText({ id: 'wh_1', events: ['user.created'], limit: 10, active: true })).toEqual(
      [],
    );
  });
});

describe('refusingUnstorableText', () => {
  const handled: unknown[] = [];
  const handler = (async (request: unknown) => {
    handled.push(request);
    return { ok: true };
  }) as MessageHandler;
  const checked = refusingUnstorableText(handler) as (
    request: unknown,
    metadata: Metadata,
  ) => Promise<Observable<unknown> | unknown>;

  beforeEach(() => handled.splice(0));

  it('passes a storable request, and every argument, to the handler', async () => {
    await expect(checked({ id: 'wh_1' }, new Metadata())).resolves.toEqual({ ok: true });
    expect(handled).toEqual([{ id: 'wh_1' }]);
  });

  it('ends a request with a NUL as INVALID_ARGUMENT with field violations, without calling the handler', async () => {
    const answer = await checked({ id: 'wh_\u0000' }, new Metadata());
    expect(isObservable(answer)).toBe(true);
    const error = await firstValueFrom(answer as Observable<unknown>).catch(
      (caught: GrpcErrorAnswer) => caught,
    );
    expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, details: `Invalid request: id ${NUL}` });
    expect((error as GrpcErrorAnswer).metadata?.get(STATUS_DETAILS_TRAILER)).toHaveLength(1);
    expect(handled).toEqual([]);
  });
});
