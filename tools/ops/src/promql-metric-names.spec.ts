import { metricNamesOf } from './promql-metric-names';

describe('metricNamesOf', () => {
  it('finds every selected metric and ignores functions, label names and aggregations', () => {
    expect(
      metricNamesOf(
        'histogram_quantile(0.95, sum by (le, service) (rate(hookline_delivery_latency_seconds_bucket{outcome="x"}[5m]))) / on (service) group_left max(up)',
      ),
    ).toEqual({ kind: 'names', names: ['hookline_delivery_latency_seconds_bucket', 'up'] });
  });

  it('reads names given as a __name__ matcher', () => {
    expect(metricNamesOf('sum({__name__="hookline_breakers", state="open"})')).toEqual({
      kind: 'names',
      names: ['hookline_breakers'],
    });
  });

  it('accepts Grafana interval variables and variables inside label matchers', () => {
    expect(
      metricNamesOf('sum(rate(process_cpu_seconds_total{service=~"$service"}[$__rate_interval]))'),
    ).toEqual({
      kind: 'names',
      names: ['process_cpu_seconds_total'],
    });
    expect(metricNamesOf('increase(x_total[${__range}])')).toEqual({ kind: 'names', names: ['x_total'] });
  });

  it("reads the selector of Grafana's label_values() variable query", () => {
    expect(metricNamesOf('label_values(hookline_ready{dependency="kafka"}, service)')).toEqual({
      kind: 'names',
      names: ['hookline_ready'],
    });
  });

  it('refuses expressions it cannot check', () => {
    expect(metricNamesOf('sum(rate(x[5m]')).toMatchObject({ kind: 'invalid', reason: /syntax error/ });
    expect(metricNamesOf('{__name__=~"hookline_.+"}')).toMatchObject({
      kind: 'invalid',
      reason: /without a literal metric name/,
    });
    expect(metricNamesOf('vector(1)')).toMatchObject({ kind: 'invalid', reason: /no metric selected/ });
  });
});
