import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../src/repo-root';
import { PRESETS } from '@hookline/presets';
import { readWorkspaceFile } from './support/manifests';
import { checkServiceConfig, knownConfigKeys, SERVICE_NAMES, SERVICES } from './support/service-config';
import { requireCommand, run } from './support/tools';

interface ComposeService {
  image?: string;
  build?: { context: string; target?: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string | number | null>;
  depends_on?: Record<string, { condition: string }>;
  ports?: Array<{ host_ip?: string; published?: number | string; target: number } | string>;
  volumes?: Array<{ type: string; source: string; target: string; read_only?: boolean } | string>;
  stop_grace_period?: string;
  read_only?: boolean;
  cap_drop?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

/** The variables that move each pinned image to another digest, and the image they pin. */
const DIGEST_VARIABLES = {
  NODE_IMAGE_DIGEST: 'node:24.21.0-bookworm-slim',
  KAFKA_IMAGE_DIGEST: 'apache/kafka:4.1.1',
  POSTGRES_IMAGE_DIGEST: 'postgres:17',
  PROMETHEUS_IMAGE_DIGEST: 'prom/prometheus:v3.5.0',
  GRAFANA_IMAGE_DIGEST: 'grafana/grafana:12.0.0',
} as const;
const SHA256 = /^sha256:[0-9a-f]{64}$/;
// Stand-ins of the right shape, derived from the image names so none passes for a real digest.
const TEST_DIGESTS = Object.fromEntries(
  Object.entries(DIGEST_VARIABLES).map(([variable, image]) => [
    variable,
    `sha256:${createHash('sha256').update(`not a real image: ${image}`).digest('hex')}`,
  ]),
) as Record<keyof typeof DIGEST_VARIABLES, string>;

// Only what the file itself sets: a developer's own POSTGRES_PASSWORD or HOOKLINE_PRESET must not
// change what is checked.
const CLEAN_ENV = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  // A key of the right shape: compose refuses to start without one (next test).
  HOOKLINE_SECRET_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
};
let compose: ComposeFile;

function durationMs(text: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(text);
  if (!match) throw new Error(`unexpected duration ${text}`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] ?? 'ms']!;
}

function environment(service: ComposeService): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([key, value]) => [
      key,
      value === null ? '' : String(value),
    ]),
  );
}

/** A bind mount as `[target, repository path]`; named volumes give undefined. */
function bindMount(volume: NonNullable<ComposeService['volumes']>[number]): [string, string] | undefined {
  // docker-compose v1 prints the short syntax (`/abs/source:/target:ro`), v2 the long one.
  if (typeof volume === 'string') {
    const [source, target] = volume.split(':');
    return isAbsolute(source) ? [target, relative(REPO_ROOT, source)] : undefined;
  }
  return volume.type === 'bind' ? [volume.target, relative(REPO_ROOT, volume.source)] : undefined;
}

/** The host address a published port is bound to. */
function hostIp(port: NonNullable<ComposeService['ports']>[number]): string | undefined {
  if (typeof port !== 'string') return port.host_ip;
  const parts = port.split(':');
  return parts.length === 3 ? parts[0] : undefined;
}

beforeAll(() => {
  requireCommand('docker-compose', 'docker-compose');
  const result = run('docker-compose', ['-f', 'docker-compose.yml', 'config'], { env: CLEAN_ENV });
  if (result.status !== 0) throw new Error(`docker-compose config failed:\n${result.stderr}`);
  compose = parse(result.stdout) as ComposeFile;
});

describe('docker-compose.yml', () => {
  it('validates (`docker-compose config -q`)', () => {
    const result = run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { env: CLEAN_ENV });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('runs Kafka in KRaft mode, Postgres, the provisioning jobs, the four services, Prometheus and Grafana', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['kafka', 'postgres', 'topics', 'migrate', ...SERVICE_NAMES, 'prometheus', 'grafana'].sort(),
    );
    const kafka = compose.services.kafka;
    expect(kafka.image).toMatch(/^apache\/kafka:4\.1\.1@sha256:[0-9a-f]{64}$/);
    expect(environment(kafka)).toMatchObject({
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    });
    expect(Object.keys(environment(kafka)).filter((key) => /ZOOKEEPER/.test(key))).toEqual([]);
    expect(compose.services.postgres.image).toMatch(/^postgres:17@sha256:[0-9a-f]{64}$/);
    expect(compose.services.prometheus.image).toMatch(/^prom\/prometheus:/);
    expect(compose.services.grafana.image).toMatch(/^grafana\/grafana:/);
  });

  it('creates the topics and migrates the schema once their dependency is healthy, before any service starts', () => {
    expect(compose.services.topics.command).toEqual(['node', 'scripts/topics.mjs']);
    expect(compose.services.topics.depends_on).toEqual({ kafka: { condition: 'service_healthy' } });
    expect(compose.services.migrate.command).toEqual(['node', 'scripts/migrate.mjs', 'up']);
    expect(compose.services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(compose.services.kafka.healthcheck?.test?.join(' ')).toMatch(/kafka-broker-api-versions/);
    expect(compose.services.postgres.healthcheck?.test?.join(' ')).toMatch(/pg_isready/);
    for (const service of SERVICE_NAMES) {
      expect({ service, depends_on: compose.services[service].depends_on }).toEqual({
        service,
        depends_on: {
          topics: { condition: 'service_completed_successfully' },
          migrate: { condition: 'service_completed_successfully' },
        },
      });
    }
  });

  it("builds each service from the Dockerfile's target of the same name and configures it validly", () => {
    const known = knownConfigKeys();
    for (const service of SERVICE_NAMES) {
      const definition = compose.services[service];
      const env = environment(definition);
      expect({ service, target: definition.build?.target, port: env.PORT }).toEqual({
        service,
        target: service,
        port: String(SERVICES[service]),
      });
      expect({ service, unknown: Object.keys(env).filter((key) => !known.has(key)) }).toEqual({
        service,
        unknown: [],
      });
      expect({ service, config: checkServiceConfig(service, env) }).toEqual({
        service,
        config: { kind: 'valid' },
      });
      // Docker kills the container when stop_grace_period ends; the service's own deadline must come first.
      expect(durationMs(definition.stop_grace_period ?? '10s')).toBeGreaterThan(
        durationMs(env.SHUTDOWN_GRACE_MS),
      );
      expect({ service, read_only: definition.read_only, cap_drop: definition.cap_drop }).toEqual({
        service,
        read_only: true,
        cap_drop: ['ALL'],
      });
    }
  });

  it("pulls every image it does not build by tag and digest, and builds on the Dockerfile's pinned Node.js image", () => {
    const dockerfileDigest = /^ARG NODE_IMAGE_DIGEST=(.+)$/m.exec(readWorkspaceFile('Dockerfile'))?.[1];
    expect(dockerfileDigest).toMatch(SHA256);
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build) {
        expect({ name, args: service.build.args }).toEqual({
          name,
          args: { NODE_IMAGE_DIGEST: dockerfileDigest },
        });
      } else {
        expect({ name, image: service.image }).toEqual({
          name,
          image: expect.stringMatching(/^[a-z0-9./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/),
        });
      }
    }
    const pulled = Object.values(compose.services).flatMap((service) =>
      service.build ? [] : [service.image!.replace(/@.*$/, '')],
    );
    expect([...new Set(pulled)].sort()).toEqual(
      Object.entries(DIGEST_VARIABLES)
        .filter(([variable]) => variable !== 'NODE_IMAGE_DIGEST')
        .map(([, image]) => image)
        .sort(),
    );
  });

  it.each(Object.keys(DIGEST_VARIABLES))('moves to another digest when %s is set', (variable) => {
    const digest = TEST_DIGESTS[variable as keyof typeof DIGEST_VARIABLES];
    const result = run('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
      env: { ...CLEAN_ENV, [variable]: digest },
    });
    expect(result.status).toBe(0);
    const moved = parse(result.stdout) as ComposeFile;
    const uses = Object.values(moved.services).map((service) =>
      service.build ? String(service.build.args?.NODE_IMAGE_DIGEST) : String(service.image),
    );
    const image = DIGEST_VARIABLES[variable as keyof typeof DIGEST_VARIABLES];
    expect(uses).toContainEqual(variable === 'NODE_IMAGE_DIGEST' ? digest : `${image}@${digest}`);
  });

  it('refuses to start without HOOKLINE_SECRET_KEYS, naming it', () => {
    const { HOOKLINE_SECRET_KEYS: _omitted, ...env } = CLEAN_ENV;
    const result = run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { env });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('set HOOKLINE_SECRET_KEYS');
  });

  it('lets the dispatcher finish an attempt in flight: its grace outlasts the attempt timeout', () => {
    const dispatcher = compose.services.dispatcher;
    const graceMs = durationMs(environment(dispatcher).SHUTDOWN_GRACE_MS);
    expect(graceMs).toBeGreaterThan(PRESETS.hookline.attemptTimeoutMs);
    expect(durationMs(dispatcher.stop_grace_period ?? '10s')).toBeGreaterThan(graceMs);
  });

  it('publishes ports on the loopback interface only', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of service.ports ?? []) {
        expect({ name, host_ip: hostIp(port) }).toEqual({ name, host_ip: '127.0.0.1' });
      }
    }
  });

  it('gives Prometheus the alert rules and a scrape target per service, and Grafana the dashboards', () => {
    const mounts = (service: string) =>
      Object.fromEntries(
        (compose.services[service].volumes ?? []).flatMap((volume) => {
          const mount = bindMount(volume);
          return mount ? [mount] : [];
        }),
      );
    const prometheusMounts = mounts('prometheus');
    expect(prometheusMounts).toEqual({
      '/etc/prometheus/prometheus.yml': 'deploy/prometheus/prometheus.yml',
      '/etc/prometheus/rules': 'deploy/prometheus/rules',
    });
    const grafanaMounts = mounts('grafana');
    expect(grafanaMounts).toEqual({
      '/etc/grafana/provisioning': 'deploy/grafana/provisioning',
      '/etc/grafana/dashboards': 'deploy/grafana/dashboards',
    });
    for (const source of [...Object.values(prometheusMounts), ...Object.values(grafanaMounts)]) {
      expect({ source, exists: existsSync(join(REPO_ROOT, source)) }).toEqual({ source, exists: true });
    }

    const prometheus = parse(readWorkspaceFile('deploy/prometheus/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: Array<{ dns_sd_configs: Array<{ names: string[]; port: number }> }>;
    };
    expect(prometheus.rule_files).toEqual(['rules/*.yml']);
    const targets = Object.fromEntries(
      prometheus.scrape_configs.flatMap((job) => job.dns_sd_configs.map((sd) => [sd.names.join(), sd.port])),
    );
    expect(targets).toEqual(SERVICES);

    const provider = parse(readWorkspaceFile('deploy/grafana/provisioning/dashboards/hookline.yml')) as {
      providers: Array<{ options: { path: string } }>;
    };
    expect(provider.providers.map((p) => p.options.path)).toEqual(['/etc/grafana/dashboards']);
    const datasources = parse(
      readWorkspaceFile('deploy/grafana/provisioning/datasources/prometheus.yml'),
    ) as {
      datasources: Array<{ type: string; url: string }>;
    };
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
  });
});
