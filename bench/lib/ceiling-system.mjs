// The ceiling baseline as a system under test: it drives itself (no queue to submit to), so the
// scenario runner hands it the whole load and collects the events it created.
import { fileURLToPath } from 'node:url';
import { startChild } from './child.mjs';
import { newSecret } from './webhook-body.mjs';

const SCRIPT = fileURLToPath(new URL('../processes/ceiling.mjs', import.meta.url));

/** Starts the ceiling's process; `concurrencyPerEndpoint` matches the dispatcher's in-flight limit. */
export async function startCeiling({ concurrencyPerEndpoint, tag }) {
  const child = await startChild(SCRIPT);
  return {
    name: 'undici',
    label: 'bare undici loop (ceiling)',
    concurrencyPerEndpoint,
    async createScope() {
      return { endpoints: [] };
    },
    async addEndpoints(scope, specs) {
      const created = specs.map((spec) => ({
        key: spec.key,
        id: spec.key,
        url: spec.url,
        secret: newSecret(),
      }));
      scope.endpoints.push(...created);
      return created;
    },
    async removeEndpoints() {},
    /** Runs the whole load in the ceiling's process; resolves with the events it sent. */
    async drive({ scope, load, until }) {
      const answer = await child.call('run', {
        mode: load.mode,
        rate: load.rate,
        tickMs: load.tickMs,
        until,
        endpoints: scope.endpoints,
        concurrencyPerEndpoint,
        tag,
      });
      return {
        events: answer.events,
        refusals: answer.failures ? { 'request failed': { count: answer.failures } } : {},
      };
    },
    processesOf() {
      return [{ name: 'undici-loop', pid: child.pid }];
    },
    stop: () => child.stop(),
  };
}
