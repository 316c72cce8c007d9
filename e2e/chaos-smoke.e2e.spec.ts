import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runNode } from './support/platform';

/**
 * The fault-injection suite in smoke mode, so it never rots and the basics keep holding: on fresh
 * stacks of its own it runs the baseline, a SIGKILL of the dispatcher and a short receiver outage
 * under a small steady load (REST and Kafka's console producer), and every accepted event must
 * reach every endpoint it is owed to, no retry may go early, every request must be signed, and the
 * baseline must deliver nothing twice. Its timings are not checked.
 */

interface ScenarioOutcome {
  id: string;
  error?: string;
  figures?: {
    accepted: { total: number; rest: number; kafka: number };
    expected: number;
    delivered: number;
    lost: number;
    duplicates: number;
    earlyRetries: number;
    retriesChecked: number;
    badSignatures: number;
    signaturesChecked: number;
  };
  details?: { unexpected: { doubledDeliveries: number } };
  timeline: Array<{ event: string }>;
}

describe('fault-injection suite, smoke mode', () => {
  const out = mkdtempSync(join(tmpdir(), 'hookline-chaos-smoke-'));

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("catches lost, doubled and early deliveries and bad signatures (the suite's own tests)", async () => {
    const { code, output } = await runNode(['--test', join(ROOT, 'chaos', 'test', 'accounting.test.mjs')]);
    if (code !== 0) throw new Error(`chaos/test failed:\n${output.slice(-6000)}`);
    expect(output).toMatch(/ℹ fail 0/);
  });

  it('loses nothing, sends no retry early and signs every request, with and without faults', async () => {
    const { code, output } = await runNode([
      join(ROOT, 'chaos', 'run.mjs'),
      '--smoke',
      '--no-build',
      '--out',
      out,
    ]);
    if (!existsSync(join(out, 'report.json')))
      throw new Error(`npm run chaos -- --smoke wrote no report (exit ${code}):\n${output.slice(-6000)}`);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      ok: boolean;
      failures: string[];
      machine: { cores: number; node: string; kafka: string; postgres: string };
      scenarios: ScenarioOutcome[];
    };

    expect(report.scenarios.map((s) => s.id)).toEqual(['none', 'kill-services', 'receiver-outage']);
    for (const scenario of report.scenarios) {
      expect({ id: scenario.id, error: scenario.error }).toEqual({ id: scenario.id, error: undefined });
      const f = scenario.figures!;
      expect({
        id: scenario.id,
        lost: f.lost,
        earlyRetries: f.earlyRetries,
        badSignatures: f.badSignatures,
      }).toEqual({ id: scenario.id, lost: 0, earlyRetries: 0, badSignatures: 0 });
      expect(f.accepted.rest).toBeGreaterThan(0);
      expect(f.accepted.kafka).toBeGreaterThan(0);
      expect(f.expected).toBeGreaterThanOrEqual(2 * f.accepted.total);
      expect(f.delivered).toBe(f.expected);
      // Every request was checked, and the flaky endpoint made some retries to check.
      expect(f.signaturesChecked).toBeGreaterThanOrEqual(f.delivered);
      expect(f.retriesChecked).toBeGreaterThan(0);
    }
    const baseline = report.scenarios[0];
    expect({
      duplicates: baseline.figures!.duplicates,
      doubled: baseline.details!.unexpected.doubledDeliveries,
    }).toEqual({ duplicates: 0, doubled: 0 });
    expect(report.scenarios[1].timeline.map((t) => t.event)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SIGKILL dispatcher/),
        expect.stringMatching(/^dispatcher restarted/),
      ]),
    );
    expect(report.scenarios[2].timeline.map((t) => t.event)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^b-outage down/), 'b-outage back']),
    );
    expect(report.machine).toEqual(
      expect.objectContaining({
        cores: expect.any(Number),
        node: expect.stringMatching(/^v24\./),
        kafka: expect.any(String),
        postgres: expect.any(String),
      }),
    );
    expect({ ok: report.ok, failures: report.failures }).toEqual({ ok: true, failures: [] });
    expect(code).toBe(0);

    const markdown = readFileSync(join(out, 'report.md'), 'utf8');
    for (const heading of ['## Summary', '## Machine', '## Setup', '## Scenarios'])
      expect(markdown).toContain(heading);
  }, 600_000);
});
