import { unstorableRequestText } from './storable-input.interceptor';

const NUL = 'contains U+0000 (NUL), which cannot be stored';

describe('unstorableRequestText', () => {
  it('names path parameters and query parameters by name and body fields by path, in that order', () => {
    expect(
      unstorableRequestText({
        params: { id: 'wh_\u0000' },
        query: { starting_after: '\u0000', 'created[gte]': '2024\u0000' },
        body: { metadata: { region: 'eu\ud800' } },
      }),
    ).toEqual([
      { field: 'id', message: NUL },
      { field: 'starting_after', message: NUL },
      { field: 'created[gte]', message: NUL },
      {
        field: 'metadata.region',
        message: 'contains an unpaired UTF-16 surrogate (U+D800 to U+DFFF), which cannot be stored',
      },
    ]);
  });

  it('finds nothing in a storable request, or in one without a body', () => {
    expect(
      unstorableRequestText({
        params: { id: 'wh_1' },
        query: { limit: '5' },
        body: { description: 'caf\u00e9' },
      }),
    ).toEqual([]);
    expect(unstorableRequestText({ params: {}, query: {}, body: undefined })).toEqual([]);
  });

  it('reports at most ten problems across the whole request', () => {
    const many = Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`k${index}`, '\u0000']));
    const problems = unstorableRequestText({ params: many, query: many, body: many });
    expect(problems).toHaveLength(10);
    expect(problems.slice(7).map((problem) => problem.field)).toEqual(['k7', 'k0', 'k1']);
  });
});
