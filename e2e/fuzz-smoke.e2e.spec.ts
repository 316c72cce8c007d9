import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runNode } from './support/platform';

/**
 * The fuzz suite, short and with a fixed seed, so it never rots and the basics keep holding: 1,500
 * malformed requests to ingest, the subscription REST API and its gRPC API, on services of its own,
 * must all be answered in time, none with a server error, every refusal with a JSON error naming
 * the problem, and both services must still be alive and ready afterwards.
 */

const SEED = 20261207;
const REQUESTS = 1_500;

interface Report {
  ok: boolean;
  verdicts: string[];
  seed: number;
  requests: number;
  counts: Record<
    string,
    { requests: number; outcomes: Record<string, number>; failures: Record<string, number> }
  >;
  memory: Record<string, { before: { rssMiB: number }; after: { rssMiB: number } | null }>;
  liveness: Record<string, { ok: boolean; why?: string }>;
  failures: Array<{ index: number; reason: string; reproduce: string }>;
}

describe('fuzz suite, short seeded run', () => {
  const out = mkdtempSync(join(tmpdir(), 'hookline-fuzz-smoke-'));

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("fails server errors, hangs, unnamed refusals, and replays a seed exactly (the suite's own tests)", async () => {
    const { code, output } = await runNode(['--test', join(ROOT, 'fuzz', 'test', 'harness.test.mjs')]);
    if (code !== 0) throw new Error(`fuzz/test failed:\n${output.slice(-6000)}`);
    expect(output).toMatch(/ℹ fail 0/);
  });

  it('answers every malformed request in time, without a server error, naming each problem', async () => {
    const { code, output } = await runNode([
      join(ROOT, 'fuzz', 'run.mjs'),
      '--no-build',
      '--seed',
      String(SEED),
      '--requests',
      String(REQUESTS),
      '--settle',
      '2',
      '--out',
      out,
    ]);
    if (!existsSync(join(out, 'report.json')))
      throw new Error(`npm run fuzz wrote no report (exit ${code}):\n${output.slice(-6000)}`);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;

    expect(output).toContain(`seed ${SEED}`);
    expect({ seed: report.seed, requests: report.requests }).toEqual({ seed: SEED, requests: REQUESTS });
    // Each failure names its case and how to send it again.
    expect(report.failures.map((f) => `${f.index}: ${f.reason} (${f.reproduce})`)).toEqual([]);
    expect({ ok: report.ok, verdicts: report.verdicts }).toEqual({ ok: true, verdicts: [] });
    expect(Object.keys(report.counts).sort()).toEqual(
      ['ingest', 'subscription (REST)', 'subscription (gRPC)'].sort(),
    );
    for (const [service, row] of Object.entries(report.counts)) {
      // Every surface was reached, and most of what it got was refused.
      expect({ service, reached: row.requests > 100 }).toEqual({ service, reached: true });
      const refused = row.outcomes['4xx'] ?? row.requests - (row.outcomes.OK ?? 0);
      expect({ service, refusedMostly: refused > row.requests / 2 }).toEqual({
        service,
        refusedMostly: true,
      });
    }
    for (const name of ['ingest', 'subscription']) {
      expect(report.memory[name].before.rssMiB).toBeGreaterThan(0);
      expect(report.memory[name].after?.rssMiB).toBeGreaterThan(0);
    }
    expect(Object.values(report.liveness).every((state) => state.ok)).toBe(true);
    expect(code).toBe(0);
  }, 600_000);
});
