// One scenario's Hookline: a fresh broker, a fresh database, the four built services as processes
// (the benchmark's own machinery), two tenants with five endpoints on the suite's receivers, and the
// levers the faults pull.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHookline, waitUntilRouted } from '../../bench/lib/hookline-system.mjs';
import { createBenchDatabase, startBroker } from '../../bench/lib/infra.mjs';
import { startPrivatePostgres } from './private-postgres.mjs';

/**
 * The endpoints of every scenario: two tenants, five endpoints. `flaky` answers 503 to about a tenth
 * of first and second requests for an event (never a third, so flakiness alone cannot use up a
 * schedule); `outage` is the one taken down in the receiver-outage scenario.
 */
export const ENDPOINTS = [
  { name: 'a-1', tenant: 'a' },
  { name: 'a-2', tenant: 'a' },
  { name: 'a-flaky', tenant: 'a', flaky: { failRatio: 0.1, failUpTo: 2 } },
  { name: 'b-1', tenant: 'b' },
  { name: 'b-outage', tenant: 'b' },
];

/** Ports of one run: services from `portBase`, receivers from +10, the private server at +20. */
export function portsOf(portBase) {
  return {
    services: portBase,
    extraDispatcher: portBase + 4,
    extraRetryScheduler: portBase + 5,
    receivers: portBase + 10,
    postgres: portBase + 20,
  };
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * Starts the stack for scenario `id`. `privatePostgres`: the database lives on a server of the
 * suite's own (the one scenario that restarts it). Everything started is registered with
 * `stopLater`, so an interrupted run still cleans up.
 */
export async function startStack({ id, tag, options, receivers, logDir, privatePostgres, stopLater, log }) {
  const ports = portsOf(options.portBase);
  const stack = { id, ports, extra: new Set(), stops: [] };
  const later = (stop) => stack.stops.push(stopLater(stop));

  log(`  Kafka broker on 127.0.0.1:${options.kafkaPort} (fresh)`);
  stack.broker = await startBroker(options.kafkaPort);
  later(() => stack.broker.stop());

  if (privatePostgres) {
    stack.postgres = await startPrivatePostgres({ port: ports.postgres, log: (line) => log(`  ${line}`) });
    later(() => stack.postgres.stop());
  }
  const databaseName = `hookline_chaos_${id.replace(/-/g, '_')}`;
  stack.database = await createBenchDatabase(databaseName, process.env, {
    serverUrl: stack.postgres?.url,
  });
  later(() => stack.database.drop());

  log('  Starting the four services');
  stack.hookline = await startHookline({
    brokers: stack.broker.brokers,
    databaseUrl: stack.database.url,
    basePort: ports.services,
    logDir,
    overrides: options.overrides,
    tag,
  });
  later(async () => {
    await Promise.all([...stack.extra].map((instance) => instance.stop()));
    await stack.hookline.stop();
  });

  // Two tenants, their endpoints on fixed ports (an endpoint taken down comes back on the same URL).
  const specs = ENDPOINTS.map((endpoint, i) => ({
    key: `${id}/${endpoint.name}`,
    port: ports.receivers + i,
    subjects: true,
  }));
  const urls = await receivers.open(specs);
  later(() => receivers.close(specs.map((spec) => spec.key)));
  const scopes = {};
  for (const tenant of ['a', 'b']) scopes[tenant] = await stack.hookline.createScope(`chaos-${id}-${tenant}`);
  stack.endpoints = [];
  for (const [i, endpoint] of ENDPOINTS.entries()) {
    const key = specs[i].key;
    const [created] = await stack.hookline.addEndpoints(scopes[endpoint.tenant], [{ key, url: urls[key] }]);
    await receivers.verify(key, created.secret);
    stack.endpoints.push({ ...endpoint, key, id: created.id, tenantId: scopes[endpoint.tenant].tenantId });
  }
  stack.tenants = ['a', 'b'].map((tenant) => scopes[tenant]);
  stack.keysOf = (tenant) => stack.endpoints.filter((e) => e.tenant === tenant).map((e) => e.key);
  stack.endpointNamed = (name) => stack.endpoints.find((endpoint) => endpoint.name === name);

  /** Waits until an event of each tenant reaches every endpoint; probes go to `tally` as such. */
  stack.waitUntilRouted = async (tally) => {
    for (const tenant of ['a', 'b'])
      await waitUntilRouted(stack.hookline, scopes[tenant], stack.keysOf(tenant), receivers, tally);
    for (const endpoint of stack.endpoints)
      if (endpoint.flaky) await receivers.configure(endpoint.key, { status: 200, ...endpoint.flaky });
  };

  /** SIGKILLs the broker; resolves once it is gone. */
  stack.killBroker = async () => {
    const { pid } = stack.broker;
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid) && !isZombie(pid)) await sleep(50);
    return pid;
  };
  /** Starts the broker again on its data, without wiping it; resolves once it answers. */
  stack.restartBroker = async () => {
    stack.broker = await startBroker(options.kafkaPort, { fresh: false });
    return stack.broker;
  };
  /** Another dispatcher or retry scheduler on the spare port of its kind. */
  stack.startExtra = async (name) => {
    const port = name === 'dispatcher' ? ports.extraDispatcher : ports.extraRetryScheduler;
    const instance = await stack.hookline.startInstance(name, { port, logName: `${name}-2` });
    stack.extra.add(instance);
    return instance;
  };
  /** SIGTERMs an extra instance and waits for it to exit. */
  stack.stopExtra = async (instance) => {
    await instance.stop();
    stack.extra.delete(instance);
  };
  /** Stops everything of this scenario (newest first). */
  stack.stop = async () => {
    for (const stop of stack.stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        log(`  cleaning up: ${error.message}`);
      }
    }
  };
  stack.logDir = logDir;
  stack.serviceLog = (name) => join(logDir, `${name}.log`);
  return stack;
}

/** A killed child not yet reaped is gone for every purpose here. */
function isZombie(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}
