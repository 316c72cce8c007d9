import { fieldPath, findUnstorableText, isStorableText } from './storable-text';

const NUL_MESSAGE = 'contains U+0000 (NUL), which cannot be stored';
const SURROGATE_MESSAGE = 'contains an unpaired UTF-16 surrogate (U+D800 to U+DFFF), which cannot be stored';

describe('isStorableText', () => {
  it.each([
    ['plain text', true, 'Ada Lovelace'],
    ['the empty string', true, ''],
    ['a surrogate pair (an emoji)', true, 'ok \ud83d\ude00'],
    ['U+FFFD and other BMP characters', true, '\ufffd \u00e9 \u4e2d'],
    ['a NUL in the middle', false, 'a\u0000b'],
    ['only a NUL', false, '\u0000'],
    ['a lone high surrogate', false, 'a\ud800b'],
    ['a lone low surrogate', false, '\udc00'],
    ['a high surrogate at the end', false, 'abc\ud83d'],
    ['a pair in the wrong order', false, '\ude00\ud83d'],
  ])('%s: storable is %s', (_name, expected, text) => {
    expect(isStorableText(text)).toBe(expected);
  });
});

describe('findUnstorableText', () => {
  it('finds nothing in storable values of every JSON type', () => {
    expect(
      findUnstorableText({
        id: 'usr_1',
        n: 1.5,
        ok: true,
        none: null,
        tags: ['a', 'b\ud83d\ude00'],
        nested: { deeper: [{ x: 'y' }] },
      }),
    ).toEqual([]);
    expect(findUnstorableText('text')).toEqual([]);
    expect(findUnstorableText(42)).toEqual([]);
    expect(findUnstorableText(null)).toEqual([]);
    expect(findUnstorableText(undefined)).toEqual([]);
  });

  it('names a bad string by its path, as validation errors do', () => {
    expect(findUnstorableText({ type: 'user.created', data: { id: 'u', name: 'a\u0000b' } })).toEqual([
      { field: 'data.name', message: NUL_MESSAGE },
    ]);
    expect(findUnstorableText({ data: { tags: ['ok', 'x\ud800'] } })).toEqual([
      { field: 'data.tags[1]', message: SURROGATE_MESSAGE },
    ]);
    expect(findUnstorableText([{ data: { id: '\udfff' } }])).toEqual([
      { field: '[0].data.id', message: SURROGATE_MESSAGE },
    ]);
  });

  it('names the value itself `$`, or the root given', () => {
    expect(findUnstorableText('\u0000')).toEqual([{ field: '$', message: NUL_MESSAGE }]);
    expect(findUnstorableText('\u0000', { root: 'starting_after' })).toEqual([
      { field: 'starting_after', message: NUL_MESSAGE },
    ]);
    expect(findUnstorableText({ data: { id: '\u0000' } }, { root: 'events[2]' })).toEqual([
      { field: 'events[2].data.id', message: NUL_MESSAGE },
    ]);
  });

  it('checks object keys too, naming the key with its bad characters escaped', () => {
    const problems = findUnstorableText({ metadata: { 'a\u0000b': 'fine', ['c\ud800']: 'fine' } });
    expect(problems).toEqual([
      {
        field: 'metadata.a\\u0000b',
        message: 'is a key that contains U+0000 (NUL), which cannot be stored',
      },
      {
        field: 'metadata.c\\ud800',
        message:
          'is a key that contains an unpaired UTF-16 surrogate (U+D800 to U+DFFF), which cannot be stored',
      },
    ]);
    // The names themselves can be stored and sent anywhere.
    expect(problems.every((problem) => isStorableText(problem.field))).toBe(true);
  });

  it('reports one problem per string, NUL first, and every bad string in document order', () => {
    expect(
      findUnstorableText({ a: '\u0000\ud800', b: ['ok', { c: '\ud800' }], d: 'x\u0000' }).map(
        (problem) => problem.field,
      ),
    ).toEqual(['a', 'b[1].c', 'd']);
    expect(findUnstorableText({ a: '\u0000\ud800' })[0].message).toBe(NUL_MESSAGE);
  });

  it('stops at the limit', () => {
    const many = Array.from({ length: 1_000 }, () => '\u0000');
    expect(findUnstorableText(many)).toHaveLength(10);
    expect(findUnstorableText(many, { limit: 3 }).map((problem) => problem.field)).toEqual([
      '[0]',
      '[1]',
      '[2]',
    ]);
  });

  it('refuses nesting deeper than maxDepth instead of walking it, without overflowing the stack', () => {
    let deep: unknown = '\u0000';
    for (let level = 0; level < 10_000; level += 1) deep = [deep];
    const problems = findUnstorableText(deep);
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toBe('nests deeper than 64 levels');
    // The array at level 65, under 64 levels of `[0]`.
    expect(problems[0].field).toBe('[0]'.repeat(64));

    // The same structure as a body would arrive, parsed from JSON text.
    const parsed: unknown = JSON.parse(`{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(findUnstorableText(parsed, { maxDepth: 3 })).toEqual([
      { field: 'x[0][0]', message: 'nests deeper than 3 levels' },
    ]);
  });

  it('accepts nesting up to maxDepth, counting the value itself as the first level', () => {
    const nest = (levels: number): unknown => {
      let value: unknown = 'ok';
      for (let level = 0; level < levels; level += 1) value = { v: value };
      return value;
    };
    expect(findUnstorableText(nest(64))).toEqual([]);
    expect(findUnstorableText(nest(65))).toEqual([
      { field: 'v.'.repeat(64).slice(0, -1), message: 'nests deeper than 64 levels' },
    ]);
  });

  it('leaves byte buffers alone: bytes are not text', () => {
    expect(findUnstorableText({ raw: Buffer.from([0, 0xd8, 0x00]) })).toEqual([]);
  });

  it('lets the caller name fields its own way', () => {
    expect(
      findUnstorableText(
        { data: { fields: { name: { stringValue: '\u0000' } } } },
        { fieldName: (path) => path.join('/') },
      ),
    ).toEqual([{ field: 'data/fields/name/stringValue', message: NUL_MESSAGE }]);
  });
});

describe('fieldPath', () => {
  it('joins keys with dots and indexes with brackets', () => {
    expect(fieldPath(['data', 'tags', 2])).toBe('data.tags[2]');
    expect(fieldPath([3, 'data', 'email'])).toBe('[3].data.email');
    expect(fieldPath(['data', 'email'], 'events[3]')).toBe('events[3].data.email');
    expect(fieldPath([])).toBe('$');
    expect(fieldPath([], 'id')).toBe('id');
  });

  it('cuts a very long key without splitting a surrogate pair', () => {
    const key = `${'k'.repeat(99)}\ud83d\ude00tail`;
    const field = fieldPath(['metadata', key]);
    expect(field).toBe(`metadata.${'k'.repeat(99)}…`);
    expect(isStorableText(field)).toBe(true);
    expect(fieldPath(['k'.repeat(5_000)])).toHaveLength(101);
  });
});
