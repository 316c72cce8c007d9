import { droppedLabels, unscopedSelectors } from './promql-grouping';

const KEYS = ['cluster', 'namespace'];

describe('droppedLabels', () => {
  it('accepts aggregations and matches that keep the labels', () => {
    expect(
      droppedLabels(
        'sum by (namespace, cluster, service) (rate(a[5m])) / on (cluster, namespace, service) max without (instance) (b) and c',
        KEYS,
      ),
    ).toEqual([]);
  });

  it('names each aggregation that drops one of them, with or without a modifier', () => {
    expect(
      droppedLabels('sum(rate(a[5m])) > 1 and max by (namespace) (b) and max without (cluster) (c)', KEYS),
    ).toEqual(['sum(rate(a[5m]))', 'max by (namespace) (b)', 'max without (cluster) (c)']);
  });

  it('names a vector match that joins across them', () => {
    expect(droppedLabels('a unless on (service) b', KEYS)).toEqual(['on (service)']);
    expect(droppedLabels('a / ignoring (namespace) b', KEYS)).toEqual(['ignoring (namespace)']);
    expect(droppedLabels('a unless on (cluster, namespace, service) b', KEYS)).toEqual([]);
  });

  it('reports a syntax error rather than passing', () => {
    expect(droppedLabels('sum by (namespace (a', KEYS)).toEqual([expect.stringMatching(/^syntax error/)]);
  });
});

describe('unscopedSelectors', () => {
  const SCOPE = ['cluster=~"$cluster"', 'namespace=~"$namespace"'];

  it('accepts selectors carrying every matcher, whatever else they match on', () => {
    expect(
      unscopedSelectors('sum(rate(a{namespace=~"$namespace", cluster=~"$cluster", x="y"}[5m]))', SCOPE),
    ).toEqual([]);
  });

  it('names each selector that lacks one', () => {
    expect(unscopedSelectors('a{cluster=~"$cluster"} / b{namespace="$namespace"} + c', SCOPE)).toEqual([
      'a{cluster=~"$cluster"} lacks namespace=~"$namespace"',
      'b{namespace="$namespace"} lacks cluster=~"$cluster", namespace=~"$namespace"',
      'c lacks cluster=~"$cluster", namespace=~"$namespace"',
    ]);
  });
});
