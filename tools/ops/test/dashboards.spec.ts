import { metricNamesOf } from '../src/promql-metric-names';
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
      breakers: uses(/sum by \(state\) \(hookline_breakers\)/),
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

  it('hold only queries that parse, each naming its metrics literally', () => {
    const problems = dashboardQueries().flatMap(({ where, expr }) => {
      const result = metricNamesOf(expr);
      return result.kind === 'invalid' ? [`${where}: ${result.reason}`] : [];
    });
    expect(problems).toEqual([]);
  });
});
