import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runNode } from './support/platform';

/**
 * The benchmark harness in smoke mode, so it never rots: it starts its own broker, a fresh database
 * and the four built services, runs every scenario at a tiny load against Hookline and both
 * baselines, and fails when any counted delivery is lost or doubled. Its numbers are not checked:
 * a few seconds on a shared machine say nothing about speed.
 */

interface PhaseResult {
  id: string;
  deliveriesPerSecond: number;
  drained: boolean;
  missing: number;
  latencyMs: { count: number; p99: number | null };
  meanBodyBytes: number | null;
  resources?: { processes: Record<string, { cpuCores: number | null; peakRssMiB: number | null }> };
}

interface SystemOutcome {
  skipped?: string;
  error?: string;
  results: PhaseResult[];
  verification: {
    ok: boolean;
    countedDeliveriesExpected: number;
    countedDeliveriesArrivedOnce: number;
    signaturesChecked: number;
    problems: Record<string, unknown>;
  };
}

describe('benchmark harness, smoke mode', () => {
  const out = mkdtempSync(join(tmpdir(), 'hookline-bench-smoke-'));

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("catches lost, doubled, unexpected and badly signed deliveries (the harness's own tests)", async () => {
    const { code, output } = await runNode(['--test', join(ROOT, 'bench', 'test', 'harness.test.mjs')]);
    if (code !== 0) throw new Error(`bench/test failed:\n${output.slice(-6000)}`);
    expect(output).toMatch(/# fail 0|ℹ fail 0/);
  });

  it('runs every scenario against Hookline and the baselines with every delivery accounted for', async () => {
    const { code, output } = await runNode([
      join(ROOT, 'bench', 'run.mjs'),
      '--smoke',
      '--no-build',
      '--out',
      out,
    ]);
    if (code !== 0) throw new Error(`npm run bench -- --smoke exited ${code}:\n${output.slice(-6000)}`);

    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      ok: boolean;
      machine: { cores: number; node: string; kafka: string };
      systems: Record<'hookline' | 'undici' | 'bullmq', SystemOutcome>;
      profile: { topFunctions: unknown[]; byCaller: Array<{ owner: string }> };
    };
    expect(report.ok).toBe(true);
    expect(report.machine).toEqual(
      expect.objectContaining({
        cores: expect.any(Number),
        node: expect.stringMatching(/^v24\./),
        kafka: expect.any(String),
      }),
    );

    const hookline = report.systems.hookline;
    expect(hookline.results.map((r) => r.id)).toEqual([
      'throughput-fanout-1',
      'throughput-fanout-10',
      'latency-50',
      'slow-alone',
      'slow-neighbour',
      'storm-alone-rate',
      'storm-failing-rate',
      'storm-alone-saturate',
      'storm-failing-saturate',
    ]);
    for (const result of hookline.results) {
      expect({ id: result.id, drained: result.drained, missing: result.missing }).toEqual({
        id: result.id,
        drained: true,
        missing: 0,
      });
      expect(result.deliveriesPerSecond).toBeGreaterThan(0);
      expect(result.latencyMs.count).toBeGreaterThan(0);
      // Bodies are about 1 KiB, as the scenarios promise.
      expect(result.meanBodyBytes).toBeGreaterThan(900);
      expect(result.meanBodyBytes).toBeLessThan(1200);
    }
    const resources = hookline.results[0].resources?.processes ?? {};
    for (const name of ['dispatcher', 'ingest', 'kafka broker', 'receivers']) {
      expect(resources[name]?.cpuCores).toEqual(expect.any(Number));
      expect(resources[name]?.peakRssMiB).toBeGreaterThan(0);
    }
    expect(report.profile.topFunctions.length).toBeGreaterThan(0);
    expect(report.profile.byCaller.map((o) => o.owner)).toContain('kafkajs');

    for (const name of ['hookline', 'undici', 'bullmq'] as const) {
      const outcome = report.systems[name];
      if (name === 'bullmq' && outcome.skipped) continue;
      expect({ name, error: outcome.error, problems: outcome.verification.problems }).toEqual({
        name,
        error: undefined,
        problems: {},
      });
      expect(outcome.verification.countedDeliveriesExpected).toBeGreaterThan(0);
      expect(outcome.verification.countedDeliveriesArrivedOnce).toBe(
        outcome.verification.countedDeliveriesExpected,
      );
      expect(outcome.verification.signaturesChecked).toBeGreaterThan(0);
    }
    expect(report.systems.undici.results.map((r) => r.id)).toEqual([
      'throughput-fanout-1',
      'throughput-fanout-10',
      'latency-50',
    ]);

    const markdown = readFileSync(join(out, 'report.md'), 'utf8');
    for (const heading of [
      '## Machine',
      '## Targets',
      '## 1. Throughput',
      '## 2. End-to-end latency',
      '## 3. Slow endpoint',
      '## 4. Retry storm',
      '## 5. Resources during scenario 1',
      "## Where the dispatcher's time goes",
      '## Delivery checks',
    ]) {
      expect(markdown).toContain(heading);
    }
    expect(readFileSync(join(out, 'chart.svg'), 'utf8')).toMatch(
      /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    );
    expect(readFileSync(join(out, 'README-performance.md'), 'utf8')).toContain('npm run bench');
  });
});
