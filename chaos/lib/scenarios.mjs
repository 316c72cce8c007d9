// The faults: what each scenario does to the running stack while the load goes on.
import { setTimeout as sleep } from 'node:timers/promises';

const seconds = (ms) => `${Math.round(ms / 100) / 10} s`;

/** The sum of every series of counter `name` a service exports (0 when it cannot be read). */
async function counterTotal(url, name) {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    let total = 0;
    for (const line of text.split('\n'))
      if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
        total += Number(line.slice(line.lastIndexOf(' ') + 1));
    return total;
  } catch {
    return 0;
  }
}

/**
 * Every scenario: a title, a sentence saying what it does with the run's profile, whether its
 * database must live on the suite's private server, and its fault plan. A plan runs after the lead
 * time of steady load and resolves when the last fault is over; `ctx` holds the stack, the
 * receivers, the profile and `mark(event)`, which timestamps an entry of the scenario's timeline.
 */
export const SCENARIOS = {
  none: {
    title: 'Baseline (no fault)',
    describe: (p) => `Steady load for ${seconds(p.durationMs)}; nothing is disturbed.`,
    baseline: true,
    plan: async () => {},
  },
  'kill-services': {
    title: 'SIGKILL the services',
    describe: (p) =>
      `${p.kills.services.join(', ')} SIGKILLed ${p.kills.rounds} time(s) each, in turn; each restarted ` +
      `${seconds(p.killDownMs)} after its kill, the next kill ${seconds(p.killGapMs)} after it is ready again.`,
    async plan({ stack, profile, mark }) {
      for (let round = 1; round <= profile.kills.rounds; round += 1) {
        for (const name of profile.kills.services) {
          const { pid } = stack.hookline.services[name];
          await stack.hookline.kill(name);
          mark(`SIGKILL ${name} (round ${round}, pid ${pid})`);
          await sleep(profile.killDownMs);
          const started = Date.now();
          await stack.hookline.restart(name);
          mark(`${name} restarted, ready after ${seconds(Date.now() - started)}`);
          await sleep(profile.killGapMs);
        }
      }
    },
  },
  'kill-broker': {
    title: 'SIGKILL the Kafka broker',
    describe: (p) =>
      `The broker SIGKILLed ${p.broker.times} time(s), started again on its data ${seconds(p.broker.downMs)} ` +
      `later, ${seconds(p.broker.gapMs)} between its return and the next kill.`,
    async plan({ stack, profile, mark }) {
      for (let time = 1; time <= profile.broker.times; time += 1) {
        if (time > 1) await sleep(profile.broker.gapMs);
        const pid = await stack.killBroker();
        mark(`SIGKILL broker (pid ${pid})`);
        await sleep(profile.broker.downMs);
        const started = Date.now();
        await stack.restartBroker();
        mark(`broker restarted, answering after ${seconds(Date.now() - started)}`);
      }
    },
  },
  'restart-postgres': {
    title: 'Restart PostgreSQL',
    describe: (p) =>
      `The suite's private PostgreSQL server (holding this scenario's database) stopped with a fast ` +
      `shutdown, every connection dropped, and started again ${seconds(p.postgres.downMs)} later; ` +
      `${p.postgres.times} time(s), ${seconds(p.postgres.gapMs)} apart.`,
    privatePostgres: true,
    async plan({ stack, profile, mark }) {
      for (let time = 1; time <= profile.postgres.times; time += 1) {
        if (time > 1) await sleep(profile.postgres.gapMs);
        mark('PostgreSQL fast shutdown');
        await stack.postgres.restart({ downMs: profile.postgres.downMs });
        mark('PostgreSQL started again');
      }
    },
  },
  'receiver-outage': {
    title: 'Receiver down',
    describe: (p) =>
      `Endpoint b-outage refuses connections (its server stops listening) for ${seconds(p.outageMs)}, then ` +
      'listens again on the same port.',
    async plan({ stack, receivers, profile, mark }) {
      const { key } = stack.endpointNamed('b-outage');
      await receivers.down(key);
      mark('b-outage down (connection refused)');
      await sleep(profile.outageMs);
      await receivers.up(key);
      mark('b-outage back');
    },
  },
  scale: {
    title: 'Scale 1 → 2 → 1',
    describe: (p) =>
      `A second dispatcher and a second retry scheduler started (consumer-group rebalances), stopped with ` +
      `SIGTERM ${seconds(p.scale.upMs)} after they are ready, ${seconds(p.scale.gapMs)} at one of each; ` +
      `${p.scale.cycles} time(s).`,
    async plan({ stack, profile, mark }) {
      for (let cycle = 1; cycle <= profile.scale.cycles; cycle += 1) {
        const started = Date.now();
        const extra = await Promise.all([
          stack.startExtra('dispatcher'),
          stack.startExtra('retry-scheduler'),
        ]);
        mark(
          `scaled out to 2 dispatchers + 2 retry schedulers (cycle ${cycle}, ready after ${seconds(Date.now() - started)})`,
        );
        await sleep(profile.scale.upMs);
        // What the extra processes did: evidence that the rebalance gave them partitions.
        const attempts = await counterTotal(extra[0].url, 'hookline_deliveries_total');
        const released = await counterTotal(extra[1].url, 'hookline_retries_due_total');
        const stopping = Date.now();
        await Promise.all(extra.map((instance) => stack.stopExtra(instance)));
        mark(
          `scaled in with SIGTERM (both exited after ${seconds(Date.now() - stopping)}); the second dispatcher ` +
            `had made ${attempts} attempts, the second retry scheduler had released ${released} retries`,
        );
        await sleep(profile.scale.gapMs);
      }
    },
  },
};
