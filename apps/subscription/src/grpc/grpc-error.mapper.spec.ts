import { status } from '@grpc/grpc-js';
import { ForbiddenException } from '@nestjs/common';
import {
  ConflictError,
  NotFoundError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
} from '../errors/domain.errors';
import { describeGrpcFailure, GrpcStatusError, isDependencyFailure } from './grpc-error.mapper';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('describeGrpcFailure', () => {
  it.each([
    [new NotFoundError('webhook', 'wh_1'), status.NOT_FOUND, 'No such webhook: wh_1'],
    [
      new UnauthenticatedError('Invalid or revoked API key'),
      status.UNAUTHENTICATED,
      'Invalid or revoked API key',
    ],
    [new ConflictError('Delivery d is pending'), status.FAILED_PRECONDITION, 'Delivery d is pending'],
    [new UnavailableError('could not be queued'), status.UNAVAILABLE, 'could not be queued'],
    [new ForbiddenException('not yours'), status.PERMISSION_DENIED, 'not yours'],
    [new GrpcStatusError(status.UNIMPLEMENTED, 'off'), status.UNIMPLEMENTED, 'off'],
  ])('answers %p with its code and message', (error, code, message) => {
    expect(describeGrpcFailure(error)).toEqual({ kind: 'expected', code, message });
  });

  it('answers INVALID_ARGUMENT with every field, in gRPC field names', () => {
    const error = new ValidationError([
      { field: 'url', message: 'must use https' },
      { field: 'created[lte]', message: 'must not be before created[gte]' },
    ]);
    expect(describeGrpcFailure(error)).toEqual({
      kind: 'expected',
      code: status.INVALID_ARGUMENT,
      message: 'Invalid request: url must use https; created_lte must not be before created_gte',
      fields: [
        { field: 'url', message: 'must use https' },
        { field: 'created_lte', message: 'must not be before created_gte' },
      ],
    });
  });

  it('answers UNAVAILABLE, without internals, when Postgres or Kafka cannot be reached', () => {
    const refused = withCode('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2', 'ECONNREFUSED');
    expect(describeGrpcFailure(refused)).toEqual({
      kind: 'dependency',
      code: status.UNAVAILABLE,
      message: expect.not.stringContaining('10.0.0.5'),
    });
  });

  it('answers INTERNAL with a fixed message to anything else', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'secret')");
    expect(describeGrpcFailure(bug)).toEqual({
      kind: 'bug',
      code: status.INTERNAL,
      message: 'Internal error',
    });
    expect(describeGrpcFailure('a string')).toEqual({
      kind: 'bug',
      code: status.INTERNAL,
      message: 'Internal error',
    });
  });
});

describe('isDependencyFailure', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED', 'ECONNREFUSED')],
    ['a Postgres shutdown (57P01)', withCode('terminating connection due to administrator command', '57P01')],
    ['a connection exception (08006)', withCode('connection failure', '08006')],
    ['too many connections (53300)', withCode('sorry, too many clients already', '53300')],
    ['a lost pg connection', new Error('Connection terminated unexpectedly')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['a kafkajs error', Object.assign(new Error('Connection timeout'), { name: 'KafkaJSConnectionError' })],
    [
      'a TypeORM query error wrapping a lost connection',
      Object.assign(new Error('Query failed'), { driverError: withCode('server closed', '57P01') }),
    ],
    [
      'an error caused by a refused connection',
      new Error('wrapped', { cause: withCode('x', 'ECONNREFUSED') }),
    ],
  ])('is true for %s', (_case, error) => {
    expect(isDependencyFailure(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('duplicate key value violates unique constraint', '23505')],
    ['a syntax error', withCode('syntax error at or near "SELEC"', '42601')],
    ['a plain bug', new TypeError('x is not a function')],
    ['a non-error', { code: 'ECONNREFUSED' }],
  ])('is false for %s', (_case, error) => {
    expect(isDependencyFailure(error)).toBe(false);
  });
});
