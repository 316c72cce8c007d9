// Hookline as a system under test: the four services as separate processes on a real broker and a
// real database. Events enter through ingest's REST API; endpoints are registered through the
// subscription API, exactly as a customer would.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool, request } from 'undici';
import { createTopics, startService } from './infra.mjs';
import { EVENT_TYPE, eventData } from './webhook-body.mjs';

const now = () => performance.timeOrigin + performance.now();

/** The services in start order (the dispatcher needs the changelog the subscription service fills). */
const SERVICES = ['subscription', 'ingest', 'dispatcher', 'retry-scheduler'];

/** Environment of every service: local loopback endpoints allowed, quiet logs, settings of the run. */
function serviceEnvironment({ brokers, databaseUrl, adminToken, overrides }) {
  const env = { ...process.env };
  // Test runners' Node flags (e.g. --experimental-vm-modules) are not the services' business.
  delete env.NODE_OPTIONS;
  return {
    ...env,
    KAFKA_BROKERS: brokers,
    DATABASE_URL: databaseUrl,
    HOOKLINE_PRESET: 'hookline',
    SUBSCRIPTION_ADMIN_TOKEN: adminToken,
    SUBSCRIPTION_ALLOW_HTTP_URLS: 'true',
    SUBSCRIPTION_GRPC_PORT: '0',
    DISPATCHER_ALLOW_HTTP: 'true',
    DISPATCHER_ALLOWED_CIDRS: '127.0.0.0/8,::1',
    LOG_LEVEL: 'warn',
    KAFKA_LOG_LEVEL: 'error',
    ...overrides,
  };
}

async function callJson(method, url, body, headers = {}) {
  const response = await request(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the error message.
  }
  if (response.statusCode >= 300) {
    throw new Error(`${method} ${url} answered ${response.statusCode}: ${text.slice(0, 500)}`);
  }
  return parsed;
}

function parseCounters(text) {
  const totals = {};
  for (const line of text.split('\n')) {
    const match =
      /^(hookline_deliveries_total|hookline_retries_scheduled_total)\{([^}]*)\} ([0-9.e+]+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const name = match[1] === 'hookline_deliveries_total' ? `attempts.${labels.outcome}` : 'retriesScheduled';
    totals[name] = (totals[name] ?? 0) + Number(match[3]);
  }
  return totals;
}

/**
 * Creates the topics and starts the services. `ports` gives each service's HTTP port; the
 * dispatcher reads with its own consumer group from the latest offsets when the broker is shared.
 */
export async function startHookline({
  brokers,
  databaseUrl,
  basePort,
  logDir,
  overrides = {},
  tag,
  dispatcherExecArgv = [],
}) {
  const adminToken = `bench_${randomBytes(18).toString('base64url')}`;
  const env = serviceEnvironment({ brokers, databaseUrl, adminToken, overrides });
  await createTopics(env);
  const services = {};
  const ports = Object.fromEntries(SERVICES.map((name, i) => [name, basePort + i]));
  const start = (name, execArgv = name === 'dispatcher' ? dispatcherExecArgv : []) =>
    startService(name, { port: ports[name], env, logDir, execArgv });
  // The subscription service first (it republishes endpoints to the changelog), then the others at once.
  const [first, ...rest] = SERVICES;
  const outcomes = [
    await Promise.allSettled([start(first)]),
    await Promise.allSettled(rest.map((name) => start(name))),
  ].flat();
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') services[SERVICES[i]] = outcome.value;
  });
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    await Promise.allSettled(Object.values(services).map((service) => service.stop()));
    throw failed.reason;
  }
  const ingest = new Pool(services.ingest.url, { connections: 8, pipelining: 1 });
  const admin = { authorization: `Bearer ${adminToken}` };
  let seq = 0;

  const system = {
    name: 'hookline',
    label: 'Hookline',
    removesEndpointsOneByOne: true,
    env,
    services,
    /** A tenant with its own API key, so each run's events reach only its own endpoints. */
    async createScope(name) {
      const tenant = await callJson('POST', `${services.subscription.url}/v1/admin/tenants`, { name }, admin);
      const minted = await callJson(
        'POST',
        `${services.subscription.url}/v1/admin/tenants/${tenant.id}/api-keys`,
        {},
        admin,
      );
      return { tenantId: tenant.id, auth: { authorization: `Bearer ${minted.key}` } };
    },
    /** Registers one endpoint per spec (`{ key, url }`) through the public API. */
    async addEndpoints(scope, specs) {
      const created = [];
      for (const spec of specs) {
        const endpoint = await callJson(
          'POST',
          `${services.subscription.url}/v1/webhooks`,
          { url: spec.url, events: [EVENT_TYPE], description: `bench ${spec.key}` },
          scope.auth,
        );
        created.push({ key: spec.key, id: endpoint.id, secret: endpoint.secret, url: spec.url });
      }
      return created;
    },
    async removeEndpoints(scope, endpoints) {
      for (const endpoint of endpoints) {
        await callJson(
          'DELETE',
          `${services.subscription.url}/v1/webhooks/${endpoint.id}`,
          undefined,
          scope.auth,
        );
      }
    },
    /**
     * Sends `count` events in one ingest request; resolves with their ids and the moment the 202
     * arrived, or with the failure (`{ ok: false, status }`) when ingest refused them.
     */
    async submit(scope, count) {
      const batch = [];
      for (let i = 0; i < count; i += 1) batch.push({ type: EVENT_TYPE, data: eventData(tag, seq++) });
      try {
        const response = await ingest.request({
          path: '/v1/events',
          method: 'POST',
          headers: { 'content-type': 'application/json', ...scope.auth },
          body: JSON.stringify(batch),
        });
        const text = await response.body.text();
        const ackAt = now();
        if (response.statusCode !== 202)
          return { ok: false, status: response.statusCode, detail: text.slice(0, 300) };
        const ids = JSON.parse(text).data.map((entry) => entry.id);
        return { ok: true, events: ids.map((eventId) => ({ eventId, ackAt })) };
      } catch (error) {
        return { ok: false, status: 0, detail: error.message };
      }
    },
    /** The dispatcher's delivery counters (attempts by outcome, retries scheduled). */
    async counters() {
      try {
        const response = await request(`${services.dispatcher.url}/metrics`);
        return parseCounters(await response.body.text());
      } catch {
        return {};
      }
    },
    processes() {
      return Object.values(services).map((service) => ({ name: service.name, pid: service.pid }));
    },
    /** Restarts the dispatcher with extra Node flags (e.g. `--cpu-prof`); stops the old one first. */
    restartDispatcher(execArgv) {
      return system.restart('dispatcher', execArgv);
    },
    /** SIGKILLs one service: no shutdown hooks, no final commit. */
    kill(name) {
      return services[name].kill();
    },
    /** Starts a service again on its port (stopping it first if it still runs); resolves once ready. */
    async restart(name, execArgv) {
      await services[name].stop();
      services[name] = await start(name, execArgv);
      return services[name];
    },
    /** One more process of a service on `port`, with the same settings (scaling out); the caller stops it. */
    startInstance(name, { port, logName }) {
      return startService(name, { port, env, logDir, logName });
    },
    async stop() {
      await ingest.close();
      // The subscription service last: the others may still read the changelog it feeds.
      await Promise.all(['retry-scheduler', 'dispatcher', 'ingest'].map((name) => services[name].stop()));
      await services.subscription.stop();
    },
  };
  return system;
}

/** Waits (up to `timeoutMs`) until one event sent now reaches every endpoint: routing is in place. */
export async function waitUntilRouted(system, scope, keys, receivers, ledger, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const before = Object.fromEntries(keys.map((key) => [key, receivers.total([key])]));
    const sent = await system.submit(scope, 1);
    if (sent.ok) for (const event of sent.events) ledger.addProbe(event.eventId);
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      if (keys.every((key) => receivers.total([key]) > before[key])) return;
      await receivers.nextUpdate(100);
    }
  }
  throw new Error(`events did not reach every endpoint within ${timeoutMs} ms`);
}
