import type { ReadinessProbe } from './readiness-probe';
import { runProbe, runProbes } from './run-probes';

const up = (name: string): ReadinessProbe => ({ name, check: async () => undefined });
const down = (name: string, message: string): ReadinessProbe => ({
  name,
  check: async () => {
    throw new Error(message);
  },
});

describe('runProbes', () => {
  it('is ready when every probe passes', async () => {
    await expect(runProbes([up('kafka'), up('postgres')])).resolves.toEqual({
      status: 'ready',
      dependencies: [
        { dependency: 'kafka', status: 'up' },
        { dependency: 'postgres', status: 'up' },
      ],
    });
  });

  it('is ready with no probes at all', async () => {
    await expect(runProbes([])).resolves.toEqual({ status: 'ready', dependencies: [] });
  });

  it('names each failing dependency and why, keeping passing ones', async () => {
    const report = await runProbes([down('kafka', 'connect ECONNREFUSED 127.0.0.1:1'), up('postgres')]);
    expect(report).toEqual({
      status: 'not-ready',
      dependencies: [
        { dependency: 'kafka', status: 'down', reason: 'connect ECONNREFUSED 127.0.0.1:1' },
        { dependency: 'postgres', status: 'up' },
      ],
    });
  });

  it('counts a probe that never answers as down once its timeout passes', async () => {
    const hanging: ReadinessProbe = { name: 'kafka', check: () => new Promise(() => undefined) };
    await expect(runProbe(hanging, 50)).resolves.toEqual({
      dependency: 'kafka',
      status: 'down',
      reason: 'no answer within 50 ms',
    });
  });

  it('counts a probe that throws synchronously as down', async () => {
    const throwing: ReadinessProbe = {
      name: 'postgres',
      check: () => {
        throw new Error('not initialised');
      },
    };
    await expect(runProbe(throwing, 1_000)).resolves.toMatchObject({
      status: 'down',
      reason: 'not initialised',
    });
  });

  it('runs probes in parallel: every probe starts before any finishes', async () => {
    const events: string[] = [];
    let open = (): void => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const probe = (name: string): ReadinessProbe => ({
      name,
      async check() {
        events.push(`start ${name}`);
        await gate;
        events.push(`end ${name}`);
      },
    });
    const report = runProbes([probe('a'), probe('b'), probe('c')], 1_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['start a', 'start b', 'start c']);
    open();
    await expect(report).resolves.toMatchObject({ status: 'ready' });
  });

  it('never lets a password reach the report', async () => {
    const report = await runProbes([down('postgres', 'no route to postgres://app:hunter2@db:5432/x')]);
    expect(JSON.stringify(report)).not.toContain('hunter2');
  });
});
