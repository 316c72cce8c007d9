// Webhook receivers on loopback, one HTTP server (one origin) per endpoint, in a process of their
// own so their CPU is accounted apart from the load generator. Driven over IPC by the benchmark and
// the fault-injection suite: `open` / `configure` / `verify` / `down` / `up` / `collect` / `close`;
// it pushes each endpoint's count of 2xx answers.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setInterval } from 'node:timers';

const EVENT_ID = process.env.BENCH_EVENT_ID_HEADER;
const DELIVERY = process.env.BENCH_DELIVERY_HEADER;
const SAMPLE_FIRST = 5;
const SAMPLE_EVERY = 997;
const MAX_BAD_EXAMPLES = 10;

/** @type {Map<string, ReturnType<typeof endpoint>>} */
const endpoints = new Map();
let countsChanged = false;
/** Loaded on the first `verify`: the benchmark's own runs only check samples, in the parent. */
let verifyRequest;

const now = () => performance.timeOrigin + performance.now();

function freshLog(state) {
  return {
    eventIds: [],
    deliveryIds: [],
    at: [],
    status: [],
    bytes: [],
    ...(state?.subjects ? { subjects: [] } : {}),
  };
}

/**
 * A number in [0, 1) fixed by `text` (FNV-1a, then MurmurHash3's finaliser so that texts differing
 * only in their last character land far apart), so a flaky endpoint fails the same requests every run.
 */
function fraction(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 2 ** 32;
}

/** The status to answer: the configured one, or 503 for a flaky endpoint's chosen requests. */
function statusFor(state, eventId) {
  const { status, failRatio = 0, failUpTo = 0 } = state.behaviour;
  if (failRatio <= 0 || !eventId) return status;
  // Only the first `failUpTo` requests for an event may fail, so flakiness alone never exhausts retries.
  const seen = state.requestsPerEvent.get(eventId) ?? 0;
  state.requestsPerEvent.set(eventId, seen + 1);
  return seen < failUpTo && fraction(`${eventId}#${seen}`) < failRatio ? 503 : status;
}

function subjectOf(body) {
  try {
    const id = JSON.parse(body.toString('utf8'))?.data?.id;
    return typeof id === 'string' ? id : '';
  } catch {
    return '';
  }
}

function endpoint(key, behaviour, { port = 0, subjects = false } = {}) {
  const state = {
    key,
    behaviour,
    subjects,
    log: undefined,
    samples: [],
    ok: 0,
    seen: 0,
    server: undefined,
    port,
    up: true,
    secret: undefined,
    signatures: { checked: 0, bad: 0, examples: [] },
    requestsPerEvent: new Map(),
  };
  state.log = freshLog(state);
  state.server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const at = now();
      const { delayMs } = state.behaviour;
      const eventId = req.headers[EVENT_ID] ?? '';
      const status = statusFor(state, eventId);
      const body = Buffer.concat(chunks);
      const log = state.log;
      log.eventIds.push(eventId);
      log.deliveryIds.push(req.headers[DELIVERY] ?? '');
      log.at.push(at);
      log.status.push(status);
      log.bytes.push(body.length);
      if (log.subjects) log.subjects.push(subjectOf(body));
      state.seen += 1;
      if (state.seen <= SAMPLE_FIRST || state.seen % SAMPLE_EVERY === 0) {
        state.samples.push({ headers: req.headers, body, at: Date.now() });
      }
      if (state.secret !== undefined) {
        state.signatures.checked += 1;
        const problems = verifyRequest({ headers: req.headers, body, at: Date.now() }, state.secret);
        if (problems.length > 0) {
          state.signatures.bad += 1;
          if (state.signatures.examples.length < MAX_BAD_EXAMPLES)
            state.signatures.examples.push({ eventId, problems });
        }
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

function listen(state) {
  return new Promise((resolve, reject) => {
    const fail = (error) => reject(error);
    state.server.once('error', fail);
    state.server.listen(state.port, '127.0.0.1', () => {
      state.server.off('error', fail);
      resolve();
    });
  });
}

/**
 * Stops accepting connections. Requests already being answered finish first (for up to `graceMs`):
 * cutting an answer that is on its way would make the sender retry a delivery this log counts as
 * received.
 */
function shut(state, graceMs = 0) {
  const closed = new Promise((resolve) => state.server.close(() => resolve()));
  state.server.closeIdleConnections();
  const timer = setTimeout(() => state.server.closeAllConnections(), graceMs);
  return closed.finally(() => clearTimeout(timer));
}

async function open({ specs }) {
  const ports = {};
  for (const spec of specs) {
    const state = endpoint(
      spec.key,
      { status: spec.status ?? 200, delayMs: spec.delayMs ?? 0 },
      { port: spec.port ?? 0, subjects: spec.subjects === true },
    );
    await listen(state);
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
    logs[key] = { ...state.log, samples: state.samples, signatures: state.signatures };
    state.log = freshLog(state);
    state.samples = [];
    state.signatures = { checked: 0, bad: 0, examples: [] };
  }
  return { logs };
}

async function close({ keys }) {
  await Promise.all(
    keys.map((key) => {
      const state = endpoints.get(key);
      if (!state) return undefined;
      endpoints.delete(key);
      return state.up ? shut(state) : undefined;
    }),
  );
  return {};
}

/** Checks both signatures of every request from now on, with `secret`. */
async function verify({ key, secret }) {
  verifyRequest ??= (await import('../lib/webhook-body.mjs')).verifyRequest;
  const state = endpoints.get(key);
  if (state) state.secret = secret;
  return {};
}

/** Stops listening and drops open connections: callers get "connection refused" until `up`. */
async function down({ key }) {
  const state = endpoints.get(key);
  if (!state || !state.up) return {};
  state.up = false;
  await shut(state, 1000);
  return {};
}

/** Listens again on the same port. */
async function up({ key }) {
  const state = endpoints.get(key);
  if (!state || state.up) return {};
  await listen(state);
  state.up = true;
  return {};
}

const operations = {
  open,
  collect,
  close,
  verify,
  down,
  up,
  configure: ({ key, behaviour }) => {
    const state = endpoints.get(key);
    if (state) state.behaviour = behaviour;
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
