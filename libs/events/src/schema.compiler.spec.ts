import { collectIssues, compileSchema } from './schema.compiler';

describe('collectIssues', () => {
  const validate = compileSchema({
    type: 'object',
    additionalProperties: false,
    properties: {
      tags: { type: 'array', items: { type: 'string' } },
      'a/b': { type: 'integer' },
      rows: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: {} } } },
    },
  });

  it('names array elements with brackets under the prefix', () => {
    expect(collectIssues(validate, { tags: ['ok', 3] }, 'data')).toEqual([
      { field: 'data.tags[1]', message: 'must be string' },
    ]);
  });

  it('names missing keys inside array elements and unescapes JSON pointer segments', () => {
    expect(collectIssues(validate, { rows: [{ id: 1 }, {}], 'a/b': 'x' })).toEqual(
      expect.arrayContaining([
        { field: 'rows[1].id', message: "must have required property 'id'" },
        { field: 'a/b', message: 'must be integer' },
      ]),
    );
  });

  it('names an unexpected key itself', () => {
    expect(collectIssues(validate, { extra: true })).toEqual([
      { field: 'extra', message: 'must NOT have additional properties' },
    ]);
  });

  it('returns no issues for a valid value', () => {
    expect(collectIssues(validate, { tags: [] })).toEqual([]);
  });
});
