import { expandEventTypePattern, isValidEventTypePattern, matchesEventType } from './event-type.pattern';

describe('matchesEventType', () => {
  it.each([
    ['user.created', 'user.created', true],
    ['user.created', 'user.updated', false],
    ['user.*', 'user.created', true],
    ['user.*', 'user.login', true],
    ['user.*', 'password.reset', false],
    ['file.*', 'file.processing.completed', true],
    ['file.processing.*', 'file.processing.failed', true],
    ['file.processing.*', 'file.uploaded', false],
    ['file.*', 'filesystem.mounted', false],
    ['*', 'api.rate_limit_exceeded', true],
    ['*.created', 'user.created', false],
    ['user.cr*', 'user.created', false],
    ['.*', 'user.created', false],
    ['user', 'user.created', false],
    ['*.*', 'user.created', false],
  ])('%s vs %s -> %s', (pattern, type, expected) => {
    expect(matchesEventType(pattern, type)).toBe(expected);
  });
});

describe('isValidEventTypePattern', () => {
  it.each([
    '*',
    'user.created',
    'file.processing.completed',
    'user.*',
    'file.*',
    'file.processing.*',
    'api.*',
  ])('accepts %s', (pattern) => {
    expect(isValidEventTypePattern(pattern)).toBe(true);
  });

  it.each(['', 'usr.*', 'user', 'user.created.*', '*.created', 'user.cr*', 'invoice.paid', '**', 'user.*.x'])(
    'refuses %s',
    (pattern) => {
      expect(isValidEventTypePattern(pattern)).toBe(false);
    },
  );
});

describe('expandEventTypePattern', () => {
  it('lists the catalogue types a pattern covers', () => {
    expect(expandEventTypePattern('payment.*')).toEqual([
      'payment.succeeded',
      'payment.failed',
      'payment.refunded',
    ]);
    expect(expandEventTypePattern('file.processing.*')).toEqual([
      'file.processing.completed',
      'file.processing.failed',
    ]);
    expect(expandEventTypePattern('*')).toHaveLength(33);
  });
});
