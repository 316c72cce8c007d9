// The system under test: a Kafka broker (the caller's, or a fresh one of the run's own), a fresh
// PostgreSQL database, and the ingest and subscription services as built processes (the
// benchmark's machinery), each with its inspector on a loopback port so memory can be read after a
// forced collection. Then what the requests need: a tenant, its API key, endpoints, an event and a
// delivery, all made through the public API.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { request } from 'undici';
import { createBenchDatabase, createTopics, startBroker, startService } from '../../bench/lib/infra.mjs';

/** A port nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function callJson(method, url, body, headers) {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/**
 * Starts everything; each part is registered with `stopLater` as soon as it runs. Resolves with the
 * services (`{ name, url, pid, inspectPort }`), the gRPC address, and `ctx` (ids and credentials).
 */
export async function startFuzzStack({ options, tag, logDir, stopLater, log }) {
  let brokers = options.brokers;
  if (!brokers) {
    log(`  Kafka broker on 127.0.0.1:${options.kafkaPort} (fresh)`);
    const broker = await startBroker(options.kafkaPort);
    stopLater(() => broker.stop());
    brokers = broker.brokers;
  } else log(`  Kafka broker at ${brokers}`);
  const database = await createBenchDatabase(`hookline_fuzz_${tag}`, process.env);
  stopLater(() => database.drop());
  log(`  PostgreSQL ${database.version}, database hookline_fuzz_${tag}`);

  const adminToken = `fuzz_${randomBytes(18).toString('base64url')}`;
  const [subscriptionPort, ingestPort, grpcPort, subscriptionInspect, ingestInspect] = await Promise.all(
    Array.from({ length: 5 }, () => freePort()),
  );
  const env = { ...process.env };
  // Test runners' Node flags are not the services' business.
  delete env.NODE_OPTIONS;
  Object.assign(env, {
    KAFKA_BROKERS: brokers,
    DATABASE_URL: database.url,
    HOOKLINE_PRESET: 'hookline',
    SUBSCRIPTION_ADMIN_TOKEN: adminToken,
    SUBSCRIPTION_ALLOW_HTTP_URLS: 'true',
    SUBSCRIPTION_GRPC_HOST: '127.0.0.1',
    SUBSCRIPTION_GRPC_PORT: String(grpcPort),
    LOG_LEVEL: 'warn',
    KAFKA_LOG_LEVEL: 'error',
    // The brake on failed authentications stays on (it counts every failure, so its memory is
    // measured too) but never trips: answered 429 from the first minute, the requests would stop
    // reaching anything behind authentication.
    AUTH_BRAKE_FAILURES: '1000000',
  });
  await createTopics(env);
  log('  Starting the subscription and ingest services');
  const started = {};
  for (const [name, port, inspectPort] of [
    ['subscription', subscriptionPort, subscriptionInspect],
    ['ingest', ingestPort, ingestInspect],
  ]) {
    const service = await startService(name, {
      port,
      env,
      logDir,
      execArgv: [`--inspect=127.0.0.1:${inspectPort}`],
    });
    stopLater(() => service.stop());
    started[name] = {
      name,
      url: service.url,
      pid: service.pid,
      inspectPort,
      port,
      process: service.process,
      logFile: service.logFile,
    };
  }

  const subscription = started.subscription.url;
  const admin = { authorization: `Bearer ${adminToken}` };
  const tenant = await callJson('POST', `${subscription}/v1/admin/tenants`, { name: `fuzz ${tag}` }, admin);
  const minted = await callJson(
    'POST',
    `${subscription}/v1/admin/tenants/${tenant.id}/api-keys`,
    { name: 'fuzz' },
    admin,
  );
  const auth = { authorization: `Bearer ${minted.key}` };
  const eventTypes = (await callJson('GET', `${subscription}/v1/event-types`, undefined, auth)).data.map(
    (t) => ({
      type: t.type,
      sample: t.sample ?? {},
    }),
  );
  // The receiver URL is never called: no dispatcher runs.
  const endpoint = (description) =>
    callJson(
      'POST',
      `${subscription}/v1/webhooks`,
      { url: 'http://127.0.0.1:9/fuzz', events: ['*'], description },
      auth,
    );
  const main = await endpoint('fuzz target');
  const spares = [];
  for (let i = 0; i < 3; i += 1) spares.push((await endpoint(`fuzz spare ${i}`)).id);
  const queued = await callJson('POST', `${subscription}/v1/webhooks/${main.id}/test`, {}, auth);
  const ctx = {
    tenantId: tenant.id,
    apiKey: minted.key,
    adminToken,
    endpointId: main.id,
    spareEndpointIds: spares,
    deliveryId: queued.id,
    eventId: queued.event_id,
    eventTypes,
    ports: { ingest: ingestPort, subscription: subscriptionPort },
  };
  return {
    services: started,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    ctx,
    brokers,
    postgresVersion: database.version,
  };
}

/** Whether a service process is alive and answers `/readyz` with 200. */
export async function isReady(service) {
  if (service.process.exitCode !== null || service.process.signalCode !== null)
    return { ok: false, why: `exited (${service.process.signalCode ?? service.process.exitCode})` };
  try {
    const response = await request(`${service.url}/readyz`, { headersTimeout: 10_000, bodyTimeout: 10_000 });
    await response.body.dump();
    return response.statusCode === 200
      ? { ok: true }
      : { ok: false, why: `/readyz answered ${response.statusCode}` };
  } catch (error) {
    return { ok: false, why: `/readyz: ${error.message}` };
  }
}
