import { unscopedSelectors } from '../src/promql-grouping';
import { grafanaToPromql, metricNamesOf } from '../src/promql-metric-names';
import { allPanels, DASHBOARD_FILES, dashboardQueries, readDashboard } from './support/dashboards';

describe('the Grafana dashboards', () => {
  it('exist, each with its own uid and title', () => {
    const dashboards = DASHBOARD_FILES.map(readDashboard);
    expect(dashboards.length).toBeGreaterThanOrEqual(2);
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(dashboards.length);
    expect(new Set(dashboards.map((d) => d.title)).size).toBe(dashboards.length);
  });

  it.each(DASHBOARD_FILES)(
    '%s: panels have unique ids, fit the grid and query through the datasource variable',
    (file) => {
      const dashboard = readDashboard(file);
      const panels = allPanels(dashboard);
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      expect(dashboard.templating.list).toContainEqual(
        expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
      );
      for (const panel of panels) {
        expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
        if (panel.type === 'row') continue;
        expect({ panel: panel.title, datasource: panel.datasource }).toEqual({
          panel: panel.title,
          datasource: { type: 'prometheus', uid: '${datasource}' },
        });
        expect({ panel: panel.title, targets: (panel.targets ?? []).length > 0 }).toEqual({
          panel: panel.title,
          targets: true,
        });
      }
    },
  );

  it('cover throughput, success rate, latency percentiles, retry tiers, lag, breakers and per-service resources', () => {
    const exprs = dashboardQueries().map((query) => query.expr);
    const uses = (pattern: RegExp) => exprs.some((expr) => pattern.test(expr));
    expect({
      throughput: uses(/rate\(hookline_deliveries_total/),
      successRate: uses(/outcome="delivered".*\/.*hookline_deliveries_total/),
      latencyPercentiles: uses(/histogram_quantile\(0\.99, .*hookline_delivery_latency_seconds_bucket/),
      retryTiers: uses(/sum by \(tier\) \(rate\(hookline_retries_scheduled_total/),
      lag: uses(/hookline_consumer_lag/),
      breakers: uses(/sum by \(state\) \(hookline_breakers[{)]/),
      cpu: uses(/process_cpu_seconds_total/),
      memory: uses(/process_resident_memory_bytes/),
    }).toEqual({
      throughput: true,
      successRate: true,
      latencyPercentiles: true,
      retryTiers: true,
      lag: true,
      breakers: true,
      cpu: true,
      memory: true,
    });
  });

  it.each(DASHBOARD_FILES)(
    '%s: shows one installation at a time, chosen by cluster and namespace variables',
    (file) => {
      const variables = readDashboard(file).templating.list;
      const query = (name: string) => {
        const variable = variables.find((candidate) => candidate.name === name);
        return typeof variable?.query === 'string' ? variable.query : variable?.query?.query;
      };
      expect(query('cluster')).toMatch(/^label_values\(hookline_[a-z_]+, cluster\)$/);
      // The namespaces offered are those of the chosen cluster.
      expect(query('namespace')).toMatch(
        /^label_values\(hookline_[a-z_]+\{cluster=~"\$cluster"\}, namespace\)$/,
      );
      for (const name of ['cluster', 'namespace']) {
        expect(variables.find((variable) => variable.name === name)).toMatchObject({
          type: 'query',
          multi: false,
          includeAll: false,
        });
      }
    },
  );

  it('scope every panel and variable query to the chosen cluster and namespace', () => {
    const problems = dashboardQueries()
      .filter(({ where }) => !/variable \$(cluster|namespace)$/.test(where))
      .flatMap(({ where, expr }) =>
        unscopedSelectors(grafanaToPromql(expr), ['cluster=~"$cluster"', 'namespace=~"$namespace"']).map(
          (problem) => `${where}: ${problem}`,
        ),
      );
    expect(problems).toEqual([]);
  });

  it('hold only queries that parse, each naming its metrics literally', () => {
    const problems = dashboardQueries().flatMap(({ where, expr }) => {
      const result = metricNamesOf(expr);
      return result.kind === 'invalid' ? [`${where}: ${result.reason}`] : [];
    });
    expect(problems).toEqual([]);
  });
});
