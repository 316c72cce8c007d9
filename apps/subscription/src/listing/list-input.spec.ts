import { FieldErrors, ValidationError } from '../errors/domain.errors';
import { parseInstant, readCreatedRange, readPaging } from './list-input';
import { listInputFromQuery } from './list-query';

function problems(run: (errors: FieldErrors) => unknown): string[] {
  const errors = new FieldErrors();
  run(errors);
  try {
    errors.throwIfAny();
  } catch (error) {
    if (error instanceof ValidationError) return error.fields.map((f) => f.field);
    throw error;
  }
  return [];
}

describe('parseInstant', () => {
  it.each([
    ['2024-01-15T10:30:00Z', '2024-01-15T10:30:00.000Z'],
    ['2024-01-15T10:30Z', '2024-01-15T10:30:00.000Z'],
    ['2024-01-15T10:30:00.250Z', '2024-01-15T10:30:00.250Z'],
    ['2024-01-15T12:30:00+02:00', '2024-01-15T10:30:00.000Z'],
    ['2024-01-15T12:30:00+0200', '2024-01-15T10:30:00.000Z'],
    ['2024-01-15', '2024-01-15T00:00:00.000Z'],
    ['1640995200', '2022-01-01T00:00:00.000Z'],
    [' 0 ', '1970-01-01T00:00:00.000Z'],
  ])('reads %s', (text, iso) => expect(parseInstant(text)?.toISOString()).toBe(iso));

  it.each([
    '',
    'yesterday',
    '2024-01-15T10:30:00',
    '2024-02-30',
    '2024-13-01',
    '2024-01-15T25:00:00Z',
    '-5',
    '1.5',
    '2024/01/15',
  ])('refuses %p', (text) => expect(parseInstant(text)).toBeUndefined());
});

describe('readPaging', () => {
  it('defaults to 10 without a cursor', () => {
    expect(readPaging({}, new FieldErrors())).toEqual({ limit: 10, startingAfter: undefined });
  });

  it('accepts 1 to 100 and a cursor', () => {
    expect(readPaging({ limit: '100', startingAfter: 'wh_1' }, new FieldErrors())).toEqual({
      limit: 100,
      startingAfter: 'wh_1',
    });
    expect(readPaging({ limit: 1 }, new FieldErrors()).limit).toBe(1);
  });

  it.each([['0'], ['101'], ['-1'], ['ten'], [['1', '2']]])('refuses limit %p', (limit) => {
    expect(problems((errors) => readPaging({ limit }, errors))).toEqual(['limit']);
  });

  it('refuses a repeated or empty cursor', () => {
    expect(problems((errors) => readPaging({ startingAfter: ['a', 'b'] }, errors))).toEqual([
      'starting_after',
    ]);
    expect(problems((errors) => readPaging({ startingAfter: '' }, errors))).toEqual(['starting_after']);
  });
});

describe('readCreatedRange', () => {
  it('reads both ends and refuses an inverted range', () => {
    expect(
      readCreatedRange({ createdGte: '2024-01-01', createdLte: '1704153600' }, new FieldErrors()),
    ).toEqual({
      gte: new Date('2024-01-01T00:00:00Z'),
      lte: new Date('2024-01-02T00:00:00Z'),
    });
    expect(
      problems((errors) => readCreatedRange({ createdGte: '2024-01-02', createdLte: '2024-01-01' }, errors)),
    ).toEqual(['created[lte]']);
  });
});

describe('listInputFromQuery', () => {
  it('reads created[gte] from flat and nested query strings alike', () => {
    expect(listInputFromQuery({ 'created[gte]': 'a', limit: '5' })).toEqual({
      limit: '5',
      startingAfter: undefined,
      createdGte: 'a',
      createdLte: undefined,
    });
    expect(listInputFromQuery({ created: { gte: 'a', lte: 'b' } })).toMatchObject({
      createdGte: 'a',
      createdLte: 'b',
    });
  });
});
