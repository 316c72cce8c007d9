import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TYPES } from '@hookline/events';
import { startReceiver, type TestReceiver } from '@hookline/testing';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';
import {
  createMigratedDatabase,
  createTopics,
  loopbackPlatformEnv,
  ROOT,
  type ServiceProcess,
  startOwnBroker,
  startService,
} from './support/platform';

/**
 * What integrators and operators get from the published interfaces, on the four services running as
 * separate processes on real Kafka and Postgres: every series an alert reads exists from start, and
 * TypeScript clients generated from the services' own OpenAPI documents run the reference pages' flow.
 */
const KAFKA_PORT = 31592;
const ADMIN = 'e2e-admin-token-published-interfaces';
const FLOW_DIR = join(__dirname, 'published-interfaces');
const GENERATED = join(FLOW_DIR, 'generated');
const RULES = join(ROOT, 'deploy', 'prometheus', 'rules', 'hookline.rules.yml');

type Service = 'ingest' | 'subscription' | 'dispatcher' | 'retry-scheduler';

/** What `published-interfaces/reference-flow.ts` is run against (it type-checks apart, see its tsconfig). */
interface FlowTarget {
  readonly subscriptionUrl: string;
  readonly ingestUrl: string;
  readonly adminToken: string;
  readonly receiverUrl: string;
  received(count: number): Promise<ReadonlyArray<{ headers: object; body: Buffer }>>;
}

/** The day-partitioned tables, the `table` label of the retention metrics. */
const DAY_TABLES = ['events', 'deliveries', 'delivery_attempts'];

/**
 * Which services export each metric the alerts read, and the label values each must have a series
 * for beyond those the alert expressions name. `up` is Prometheus's own.
 */
const EXPORTED: Record<string, Partial<Record<Service, Record<string, readonly string[]>>>> = {
  hookline_deliveries_total: { dispatcher: {} },
  hookline_oldest_undelivered_seconds: { dispatcher: {} },
  hookline_dead_lettered_total: { dispatcher: {} },
  hookline_poison_messages_total: {
    dispatcher: { topic_kind: ['events', 'tasks'] },
    'retry-scheduler': { topic_kind: ['retry-tier'] },
  },
  hookline_events_ingested_total: {
    ingest: { type: [...EVENT_TYPES, 'unknown'], result: ['accepted', 'invalid', 'duplicate', 'error'] },
  },
  hookline_consumer_lag: { dispatcher: {}, 'retry-scheduler': {} },
  hookline_breakers: { dispatcher: { state: ['closed', 'open', 'half-open'] } },
  hookline_ready: {
    ingest: { dependency: ['kafka', 'postgres'] },
    subscription: { dependency: ['kafka', 'postgres'] },
    dispatcher: { dependency: ['kafka', 'postgres'] },
    'retry-scheduler': { dependency: ['kafka', 'postgres'] },
  },
  hookline_retention_expired_partitions: { 'retry-scheduler': { table: DAY_TABLES } },
  hookline_retention_days_ahead: { 'retry-scheduler': { table: DAY_TABLES } },
  hookline_retention_last_success_timestamp_seconds: { 'retry-scheduler': {} },
};

/**
 * Gauges the services measure rather than count; they appear with their first measurement (the lag
 * monitor's, the retention sweep's first pass at start).
 */
const MEASURED = new Set([
  'hookline_consumer_lag',
  'hookline_retention_expired_partitions',
  'hookline_retention_days_ahead',
  'hookline_retention_last_success_timestamp_seconds',
]);

interface Selector {
  readonly metric: string;
  /** Label values the selector matches exactly (`=` and `=~"a|b"`). */
  readonly labels: Record<string, string[]>;
}

/** Every vector selector of every alert expression. */
function alertSelectors(): Selector[] {
  const rules = parseYaml(readFileSync(RULES, 'utf8')) as {
    groups: Array<{ rules: Array<{ expr: string }> }>;
  };
  const selectors: Selector[] = [];
  for (const { expr } of rules.groups.flatMap((group) => group.rules)) {
    parser.parse(expr).iterate({
      enter(node) {
        if (node.type.name !== 'VectorSelector') return undefined;
        const text = expr.slice(node.from, node.to);
        const metric = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(text)?.[0];
        if (!metric) throw new Error(`a selector without a metric name: ${text}`);
        const labels: Record<string, string[]> = {};
        for (const [, label, op, value] of text.matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)) {
          if (op === '=') labels[label] = [value];
          else if (op === '=~' && /^[\w.-]+(\|[\w.-]+)*$/.test(value)) labels[label] = value.split('|');
        }
        selectors.push({ metric, labels });
        return false;
      },
    });
  }
  return selectors;
}

/** The label sets of a metric's series in a Prometheus text exposition. */
function seriesOf(exposition: string, metric: string): Array<Record<string, string>> {
  const series: Array<Record<string, string>> = [];
  for (const line of exposition.split('\n')) {
    const match = new RegExp(`^${metric}(?:\\{(.*)\\})? `).exec(line);
    if (!match) continue;
    series.push(
      Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v])),
    );
  }
  return series;
}

async function scrape(service: ServiceProcess): Promise<string> {
  return (await fetch(`${service.url}/metrics`)).text();
}

function run(command: string, args: string[]): void {
  const result = spawnSync(process.execPath, [command, ...args], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
}

describe('published interfaces, on the four services as processes', () => {
  let broker: Awaited<ReturnType<typeof startOwnBroker>>;
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let receiver: TestReceiver;
  const services = {} as Record<Service, ServiceProcess>;

  beforeAll(async () => {
    broker = await startOwnBroker(KAFKA_PORT);
    database = await createMigratedDatabase(`hookline_e2e_interfaces_${process.pid}`);
    const env = loopbackPlatformEnv(broker.brokers, database.url, ADMIN);
    createTopics(env);
    receiver = await startReceiver();
    for (const name of ['subscription', 'ingest', 'dispatcher', 'retry-scheduler'] as const)
      services[name] = await startService(name, env);
  }, 300_000);

  afterAll(async () => {
    await Promise.all(Object.values(services).map((service) => service.stop().catch(() => undefined)));
    await receiver?.close();
    await database?.drop();
    await broker?.stop();
  });

  it('exports every series an alert reads from start, before any traffic', async () => {
    const selectors = alertSelectors().filter((selector) => selector.metric !== 'up');
    expect(selectors.length).toBeGreaterThan(10);
    expect([...new Set(selectors.map((s) => s.metric))].filter((metric) => !(metric in EXPORTED))).toEqual(
      [],
    );

    // Only what was there at the first scrape counts; measured gauges may take one measurement.
    const first = Object.fromEntries(
      await Promise.all(
        Object.entries(services).map(async ([name, service]) => [name, await scrape(service)]),
      ),
    ) as Record<Service, string>;
    const missing: string[] = [];
    for (const [metric, exporters] of Object.entries(EXPORTED)) {
      for (const [name, extra] of Object.entries(exporters) as Array<
        [Service, Record<string, readonly string[]>]
      >) {
        let exposition = first[name];
        const deadline = Date.now() + 30_000;
        while (MEASURED.has(metric) && seriesOf(exposition, metric).length === 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          exposition = await scrape(services[name]);
        }
        const series = seriesOf(exposition, metric);
        if (series.length === 0) missing.push(`${name} ${metric}`);
        const wanted: Array<[string, string]> = [
          ...selectors.filter((s) => s.metric === metric).flatMap((s) => Object.entries(s.labels)),
          ...Object.entries(extra),
        ].flatMap(([label, values]) => values.map((value): [string, string] => [label, value]));
        for (const [label, value] of new Map(wanted.map((pair) => [pair.join('='), pair])).values()) {
          if (!series.some((labels) => labels[label] === value))
            missing.push(`${name} ${metric}{${label}="${value}"}`);
        }
        if (!MEASURED.has(metric) && metric.endsWith('_total'))
          expect([name, metric, series.filter((labels) => sampleIsZero(exposition, metric, labels))]).toEqual(
            [name, metric, series],
          );
      }
    }
    expect(missing).toEqual([]);
  });

  it('generates typed clients from the served OpenAPI documents and runs the reference pages’ flow through them', async () => {
    rmSync(GENERATED, { recursive: true, force: true });
    mkdirSync(GENERATED, { recursive: true });
    const generator = join(ROOT, 'node_modules', '@hey-api', 'openapi-ts', 'bin', 'run.js');
    for (const name of ['subscription', 'ingest'] as const) {
      const document = await (await fetch(`${services[name].url}/docs/openapi.json`)).json();
      const input = join(GENERATED, `${name}.openapi.json`);
      writeFileSync(input, JSON.stringify(document));
      run(generator, ['-i', input, '-o', join(GENERATED, name), '--silent', '--no-log-file']);
    }
    // The flow must compile against the generated types, not only run.
    run(join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), ['-p', join(FLOW_DIR, 'tsconfig.json')]);

    // Loaded by path: the flow and the clients it imports exist only from here on.
    const { runReferenceFlow } = (await import(join(FLOW_DIR, 'reference-flow'))) as {
      runReferenceFlow(target: FlowTarget): Promise<void>;
    };
    try {
      await runReferenceFlow({
        subscriptionUrl: services.subscription.url,
        ingestUrl: services.ingest.url,
        adminToken: ADMIN,
        receiverUrl: receiver.url,
        async received(count) {
          await receiver.waitFor(count, 60_000);
          return receiver.requests;
        },
      });
    } catch (error) {
      // What the services said explains a failed call far better than the client's error alone.
      const said = Object.entries(services)
        .map(
          ([name, service]) =>
            `--- ${name} (exit ${service.process.exitCode}):\n${service.output().slice(-4000)}`,
        )
        .join('\n');
      throw new Error(`${(error as Error).message}\n${said}`, { cause: error });
    }
  }, 240_000);
});

/** Whether the sample of `metric` with exactly `labels` is 0. */
function sampleIsZero(exposition: string, metric: string, labels: Record<string, string>): boolean {
  for (const line of exposition.split('\n')) {
    const match = new RegExp(`^${metric}(?:\\{(.*)\\})? (\\S+)`).exec(line);
    if (!match) continue;
    const found = Object.fromEntries(
      [...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]),
    );
    if (JSON.stringify(found) === JSON.stringify(labels)) return Number(match[2]) === 0;
  }
  return false;
}
