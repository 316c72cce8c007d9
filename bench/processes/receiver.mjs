// Webhook receivers on loopback, one HTTP server (one origin) per endpoint, in a process of their
// own so their CPU is accounted apart from the load generator. Driven over IPC by the benchmark:
// `open` / `configure` / `collect` / `close`; it pushes each endpoint's count of 2xx answers.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setInterval } from 'node:timers';

const EVENT_ID = process.env.BENCH_EVENT_ID_HEADER;
const DELIVERY = process.env.BENCH_DELIVERY_HEADER;
const SAMPLE_FIRST = 5;
const SAMPLE_EVERY = 997;

/** @type {Map<string, ReturnType<typeof endpoint>>} */
const endpoints = new Map();
let countsChanged = false;

const now = () => performance.timeOrigin + performance.now();

function freshLog() {
  return { eventIds: [], deliveryIds: [], at: [], status: [], bytes: [] };
}

function endpoint(key, behaviour) {
  const state = { key, behaviour, log: freshLog(), samples: [], ok: 0, seen: 0, server: undefined, port: 0 };
  state.server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const at = now();
      const { status, delayMs } = state.behaviour;
      const body = Buffer.concat(chunks);
      const log = state.log;
      log.eventIds.push(req.headers[EVENT_ID] ?? '');
      log.deliveryIds.push(req.headers[DELIVERY] ?? '');
      log.at.push(at);
      log.status.push(status);
      log.bytes.push(body.length);
      state.seen += 1;
      if (state.seen <= SAMPLE_FIRST || state.seen % SAMPLE_EVERY === 0) {
        state.samples.push({ headers: req.headers, body, at: Date.now() });
      }
      const answer = () => {
        if (status >= 200 && status < 300) {
          state.ok += 1;
          countsChanged = true;
        }
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'text/plain', 'content-length': '2' });
        res.end(status < 300 ? 'OK' : 'NO');
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  state.server.keepAliveTimeout = 65_000;
  state.server.maxRequestsPerSocket = 0;
  return state;
}

async function open({ specs }) {
  const ports = {};
  for (const spec of specs) {
    const state = endpoint(spec.key, { status: spec.status ?? 200, delayMs: spec.delayMs ?? 0 });
    await new Promise((resolve, reject) => {
      state.server.once('error', reject);
      state.server.listen(0, '127.0.0.1', resolve);
    });
    state.port = state.server.address().port;
    endpoints.set(spec.key, state);
    ports[spec.key] = state.port;
  }
  return { ports };
}

function collect({ keys }) {
  const logs = {};
  for (const key of keys) {
    const state = endpoints.get(key);
    if (!state) continue;
    logs[key] = { ...state.log, samples: state.samples };
    state.log = freshLog();
    state.samples = [];
  }
  return { logs };
}

async function close({ keys }) {
  await Promise.all(
    keys.map((key) => {
      const state = endpoints.get(key);
      if (!state) return undefined;
      endpoints.delete(key);
      state.server.closeAllConnections();
      return new Promise((resolve) => state.server.close(() => resolve()));
    }),
  );
  return {};
}

const operations = {
  open,
  collect,
  close,
  configure: ({ key, status, delayMs }) => {
    const state = endpoints.get(key);
    if (state) state.behaviour = { status, delayMs };
    return {};
  },
};

process.on('message', async (message) => {
  try {
    const result = await operations[message.op](message);
    process.send({ id: message.id, ok: true, ...result });
  } catch (error) {
    process.send({
      id: message.id,
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});

setInterval(() => {
  if (!countsChanged) return;
  countsChanged = false;
  const counts = {};
  for (const [key, state] of endpoints) counts[key] = state.ok;
  process.send({ op: 'counts', counts });
}, 10);

process.on('disconnect', () => process.exit(0));
process.send({ op: 'ready' });
