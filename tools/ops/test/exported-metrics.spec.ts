import { parse } from 'yaml';
import { metricNamesOf } from '../src/promql-metric-names';
import { dashboardQueries } from './support/dashboards';
import { parseExposition, queryableNames, type Sample } from './support/exposition';
import { readWorkspaceFile } from './support/manifests';
import { type RunningPlatform, startPlatform } from './support/platform';
import { SERVICE_NAMES, type ServiceName } from './support/service-config';

/** Recorded by Prometheus for every scrape target, not exported by any service. */
const PROMETHEUS_SERIES: ReadonlySet<string> = new Set(['up']);

/** Labels whose values grow with customers or traffic; no Hookline series may carry one. */
const UNBOUNDED_LABELS =
  /^(endpoint|endpoint_id|endpoint_url|url|host|event|event_id|event_type_raw|tenant|tenant_id|delivery_id|message_id|subject)$/;

let platform: RunningPlatform;
const scraped = {} as Record<ServiceName, { status: number; families: Set<string>; samples: Sample[] }>;

beforeAll(async () => {
  platform = await startPlatform();
  for (const service of SERVICE_NAMES) {
    const response = await fetch(`${platform.services[service].url}/metrics`);
    const { families, samples } = parseExposition(await response.text());
    scraped[service] = {
      status: response.status,
      families: new Set(families.flatMap(queryableNames)),
      samples,
    };
  }
}, 300_000);

afterAll(async () => {
  // Normally already stopped by the last test; this covers a failure before it.
  if (platform) await platform.stop().catch(() => undefined);
}, 60_000);

function exported(): Set<string> {
  return new Set(SERVICE_NAMES.flatMap((service) => [...scraped[service].families]));
}

function missing(names: readonly string[]): string[] {
  const available = exported();
  return names.filter((name) => !available.has(name) && !PROMETHEUS_SERIES.has(name));
}

describe('metrics the services export', () => {
  it('are served at /metrics by each service, every series labelled with its service', async () => {
    for (const service of SERVICE_NAMES) {
      expect({ service, status: scraped[service].status }).toEqual({ service, status: 200 });
      const foreign = scraped[service].samples.filter((sample) => sample.labels.service !== service);
      expect({ service, unlabelled: foreign.slice(0, 3) }).toEqual({ service, unlabelled: [] });
      expect(scraped[service].families.has('process_cpu_seconds_total')).toBe(true);
      const healthz = await fetch(`${platform.services[service].url}/healthz`);
      expect({ service, healthz: healthz.status }).toEqual({ service, healthz: 200 });
    }
  });

  it('include every metric a dashboard panel or variable queries', () => {
    expect(missing(['hookline_no_such_metric_total', 'up'])).toEqual(['hookline_no_such_metric_total']);
    const problems = dashboardQueries().flatMap(({ where, expr }) => {
      const result = metricNamesOf(expr);
      if (result.kind === 'invalid') return [`${where}: ${result.reason}`];
      return missing(result.names).map((name) => `${where}: ${name} is not exported`);
    });
    expect(problems).toEqual([]);
  });

  it('include every metric an alert rule reads', () => {
    const { groups } = parse(readWorkspaceFile('deploy/prometheus/rules/hookline.rules.yml')) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
    };
    const problems = groups
      .flatMap((group) => group.rules)
      .flatMap(({ alert, expr }) => {
        const result = metricNamesOf(expr);
        if (result.kind === 'invalid') return [`${alert}: ${result.reason}`];
        return missing(result.names).map((name) => `${alert}: ${name} is not exported`);
      });
    expect(problems).toEqual([]);
  });

  it('never carry a label that grows with endpoints, events or tenants', () => {
    const offending = SERVICE_NAMES.flatMap((service) =>
      scraped[service].samples.flatMap((sample) =>
        Object.keys(sample.labels)
          .filter((label) => UNBOUNDED_LABELS.test(label))
          .map((label) => `${service}: ${sample.name}{${label}}`),
      ),
    );
    expect([...new Set(offending)]).toEqual([]);
  });
});

describe('the services as deployed', () => {
  it('stop cleanly on SIGTERM, within their shutdown grace', async () => {
    const started = Date.now();
    const exits = await platform.stop();
    expect(exits).toEqual(SERVICE_NAMES.map((service) => ({ service, code: 0, signal: null })));
    // A deadline, not a speed measurement: the orchestrator kills whatever outlives the grace.
    expect(Date.now() - started).toBeLessThan(platform.shutdownGraceMs + 10_000);
  }, 60_000);
});
