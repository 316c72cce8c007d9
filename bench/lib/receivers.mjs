// The receivers' process as the benchmark sees it: endpoints to open, counts to watch, logs to collect.
import { fileURLToPath } from 'node:url';
import { startChild } from './child.mjs';
import { HEADERS } from './webhook-body.mjs';

const SCRIPT = fileURLToPath(new URL('../processes/receiver.mjs', import.meta.url));

/** Starts the receivers' process. */
export async function startReceivers() {
  const counts = new Map();
  const listeners = new Set();
  const child = await startChild(SCRIPT, {
    env: { BENCH_EVENT_ID_HEADER: HEADERS.eventId, BENCH_DELIVERY_HEADER: HEADERS.delivery },
    onPush: (message) => {
      if (message.op !== 'counts') return;
      for (const [key, value] of Object.entries(message.counts)) counts.set(key, value);
      for (const listener of listeners) listener();
    },
  });
  const total = (keys) => keys.reduce((sum, key) => sum + (counts.get(key) ?? 0), 0);
  return {
    pid: child.pid,
    /**
     * Opens one server per spec (`{ key, status, delayMs, port?, subjects? }`: a fixed `port`
     * survives `down`/`up`; `subjects` logs each body's `data.id`); resolves with each key's URL.
     */
    async open(specs) {
      const { ports } = await child.call('open', { specs });
      return Object.fromEntries(
        Object.entries(ports).map(([key, port]) => [key, `http://127.0.0.1:${port}/hook`]),
      );
    },
    /**
     * Changes how an endpoint answers from now on. A flaky one answers 503 to about `failRatio` of
     * the first `failUpTo` requests for each event (the same requests in every run).
     */
    configure(key, { status = 200, delayMs = 0, failRatio = 0, failUpTo = 0 }) {
      return child.call('configure', { key, behaviour: { status, delayMs, failRatio, failUpTo } });
    },
    /** Checks both signatures of every request to `key` from now on (results come with `collect`). */
    verify(key, secret) {
      return child.call('verify', { key, secret });
    },
    /** Takes the endpoint off the network: connections are refused until `up`. */
    down(key) {
      return child.call('down', { key });
    },
    /** Listens again on the endpoint's port. */
    up(key) {
      return child.call('up', { key });
    },
    /** Takes every request logged since the last collect, per key. */
    async collect(keys) {
      return (await child.call('collect', { keys })).logs;
    },
    close(keys) {
      return child.call('close', { keys });
    },
    /** 2xx answers given so far by these endpoints together. */
    total,
    /** Resolves true once `keys` together gave `expected` 2xx answers, false after `timeoutMs`. */
    waitForTotal(keys, expected, timeoutMs) {
      return new Promise((resolve) => {
        const check = () => {
          if (total(keys) < expected) return;
          done(true);
        };
        const timer = setTimeout(() => done(false), timeoutMs);
        const done = (value) => {
          clearTimeout(timer);
          listeners.delete(check);
          resolve(value);
        };
        listeners.add(check);
        check();
      });
    },
    /** Resolves on the next count update (or after `timeoutMs`). */
    nextUpdate(timeoutMs) {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          listeners.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        listeners.add(done);
      });
    },
    stop: () => child.stop(),
  };
}
