import type { ProbeOutcome, ReadinessProbe, ReadinessReport } from './readiness-probe';
import { describeFailure } from './redact';

/** Time a probe may take before it counts as down, unless configured otherwise. */
export const DEFAULT_PROBE_TIMEOUT_MS = 2_000;

/** Runs every probe in parallel, each bounded by `timeoutMs`; never rejects. */
export async function runProbes(
  probes: readonly ReadinessProbe[],
  timeoutMs: number = DEFAULT_PROBE_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const dependencies = await Promise.all(probes.map((probe) => runProbe(probe, timeoutMs)));
  const ready = dependencies.every((outcome) => outcome.status === 'up');
  return { status: ready ? 'ready' : 'not-ready', dependencies };
}

/** Runs one probe, turning a rejection or a timeout into a `down` outcome with its reason. */
export async function runProbe(probe: ReadinessProbe, timeoutMs: number): Promise<ProbeOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // A probe that throws synchronously is as down as one that rejects.
    await Promise.race([Promise.resolve().then(() => probe.check()), timeout]);
    return { dependency: probe.name, status: 'up' };
  } catch (error) {
    return { dependency: probe.name, status: 'down', reason: describeFailure(error) };
  } finally {
    clearTimeout(timer);
  }
}
