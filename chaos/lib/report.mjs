// The suite's verdict and its reports: report.json (everything recorded) and report.md (tables),
// both formatted with the repository's Prettier settings.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Duplicates allowed per fault scenario, in % of deliveries; the baseline allows none. */
export const DUPLICATE_GOAL_PERCENT = 0.1;

const seconds = (ms) => (ms === null || ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
const percent = (value) => `${value < 0.01 && value > 0 ? value.toFixed(3) : value.toFixed(2)} %`;
const int = (value) => (value ?? 0).toLocaleString('en-US');

/**
 * Judges every scenario: `failures` make the run exit non-zero (a lost delivery, an early retry, a
 * badly signed request, duplicates without any fault, a scenario that could not run); `goalsMissed`
 * are reported only (duplicates above the goal under a fault).
 */
export function judge(scenarios) {
  const failures = [];
  const goalsMissed = [];
  for (const s of scenarios) {
    if (s.error) {
      failures.push(`${s.id}: did not run to the end (${s.error})`);
      continue;
    }
    const f = s.figures;
    const doubled = s.details.unexpected.doubledDeliveries;
    if (f.lost > 0) failures.push(`${s.id}: ${f.lost} deliveries lost`);
    if (f.earlyRetries > 0) failures.push(`${s.id}: ${f.earlyRetries} retries sent before they were due`);
    if (f.badSignatures > 0) failures.push(`${s.id}: ${f.badSignatures} requests with a bad signature`);
    if (f.signaturesChecked === 0) failures.push(`${s.id}: no request was checked`);
    if (f.expected === 0) failures.push(`${s.id}: no event was accepted`);
    if (s.id === 'none') {
      if (f.duplicates > 0) failures.push(`none: ${f.duplicates} duplicate deliveries without any fault`);
      if (doubled > 0)
        failures.push(`none: ${doubled} deliveries of events published twice without any fault`);
    } else if (f.duplicatePercent > DUPLICATE_GOAL_PERCENT) {
      goalsMissed.push(
        `${s.id}: duplicates ${percent(f.duplicatePercent)} of deliveries (${f.duplicates}), goal ≤ ${DUPLICATE_GOAL_PERCENT} %`,
      );
    }
    if (s.id !== 'none' && doubled > 0) {
      goalsMissed.push(
        `${s.id}: ${s.details.unexpected.doubledEvents} events published twice under one Idempotency-Key (${doubled} deliveries), goal 0`,
      );
    }
  }
  return { failures, goalsMissed };
}

/** The summary table, one row per scenario (also the README's). */
export function summaryTable(scenarios) {
  const rows = [
    '| Scenario | Accepted (REST + Kafka) | Expected | Delivered | Lost | Duplicates | Early retries | Bad signatures | Time to drain |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of scenarios) {
    if (s.error) {
      rows.push(
        `| ${s.id} | did not run to the end: ${s.error.replace(/\|/g, '/').slice(0, 200)} | | | | | | | |`,
      );
      continue;
    }
    const f = s.figures;
    rows.push(
      `| ${s.id} | ${int(f.accepted.total)} (${int(f.accepted.rest)} + ${int(f.accepted.kafka)}) | ${int(f.expected)} | ` +
        `${int(f.delivered)} | ${f.lost > 0 ? `**${int(f.lost)}**` : '0'} | ${int(f.duplicates)} (${percent(f.duplicatePercent)}) | ` +
        `${int(f.earlyRetries)} of ${int(f.retriesChecked)} | ${int(f.badSignatures)} of ${int(f.signaturesChecked)} | ` +
        `${f.drainMs === null ? `not drained (${seconds(s.drainLimitMs)} limit)` : seconds(f.drainMs)} |`,
    );
  }
  return rows.join('\n');
}

function scenarioSection(s, number) {
  const lines = [`### ${number}. ${s.id} — ${s.title}`, '', s.description, ''];
  if (s.database) lines.push(`Database: ${s.database}.`, '');
  if (s.timeline.length > 0) {
    lines.push('| At (s after the load started) | Event |', '| --- | --- |');
    for (const entry of s.timeline) lines.push(`| ${entry.atSeconds.toFixed(1)} | ${entry.event} |`);
    lines.push('');
  }
  if (s.error) {
    lines.push(`**Did not run to the end:** ${s.error}`, '');
    return lines;
  }
  const { load, figures: f, details: d, deliveryLog: db } = s;
  lines.push(
    `Load: ${int(load.offered)} events offered in ${load.seconds} s` +
      `${load.behind > 0 ? ` (${int(load.behind)} behind schedule at the end)` : ''}; ` +
      `REST: ${int(load.rest.acknowledged)} acknowledged (${int(load.rest.acknowledgedAfterRetry)} after a retry with the same key), ` +
      `${int(load.rest.unacknowledged)} never acknowledged within the retry window, ${int(load.rest.requests)} requests; ` +
      `console producer: ${int(load.kafka.written)} written, ${int(load.kafka.onTopic)} on the ingest topic.`,
    '',
  );
  const failures = Object.entries(load.rest.failures);
  if (failures.length > 0)
    lines.push(
      `REST answers that were retried or refused: ${failures.map(([what, n]) => `${what} × ${n}`).join(', ')}.`,
      '',
    );
  lines.push(
    '| Endpoint | Requests | 2xx | Other answers | Lost | Duplicates |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const [key, e] of Object.entries(d.perEndpoint)) {
    lines.push(
      `| ${key.split('/').pop()} | ${int(e.requests)} | ${int(e.ok)} | ${int(e.failed)} | ${int(d.lostByEndpoint[key] ?? 0)} | ${int(e.duplicates)} |`,
    );
  }
  lines.push('');
  lines.push(
    `Delivery log: ${int(db.attemptsRecorded)} attempts recorded (by attempt number: ${Object.entries(
      db.attemptsByNumber,
    )
      .map(([n, count]) => `${n}: ${int(count)}`)
      .join(
        ', ',
      )}); ${int(db.retries.retriesChecked)} retries checked against the schedule, ${int(db.retries.early)} early` +
      `${db.retries.withoutPrevious > 0 ? `, ${int(db.retries.withoutPrevious)} without a recorded previous attempt` : ''}. ` +
      `Dead-lettered: ${int(s.topics['hookline.deliveries.dead-letter'])}; set aside as invalid by ingest: ${int(s.topics['hookline.ingest.invalid'])}.`,
    '',
  );
  if (s.refusedByIngest?.events > 0) {
    lines.push(
      `**Valid events set aside by ingest as invalid: ${int(s.refusedByIngest.events)}** (on \`hookline.ingest.invalid\`; never delivered):`,
      '',
    );
    for (const [reason, count] of Object.entries(s.refusedByIngest.reasons))
      lines.push(`- ${count} × ${reason}`);
    lines.push('');
  }
  if (f.lost > 0) {
    lines.push(
      `**Lost: ${int(f.lost)}** (REST ${int(d.lostByVia.rest)}, Kafka ${int(d.lostByVia.kafka)}). What the database holds for them:`,
      '',
    );
    for (const [state, count] of Object.entries(db.lost.byState)) lines.push(`- ${state}: ${int(count)}`);
    lines.push('');
  }
  if (db.retries.early > 0) {
    lines.push('**Early retries**, for example:', '');
    for (const e of db.retries.examples)
      lines.push(
        `- ${e.deliveryId} attempt ${e.attempt}: started ${e.startedAfterPreviousMs} ms after the previous attempt finished, scheduled delay ${e.scheduledDelayMs} ms`,
      );
    lines.push('');
  }
  if (d.unexpected.events > 0) {
    lines.push(
      `Events delivered that were never acknowledged to the load generator: ${int(d.unexpected.events)} — ` +
        `${int(d.unexpected.doubledEvents)} second events for a request acknowledged under another id ` +
        `(published twice under one Idempotency-Key; ${int(d.unexpected.doubledDeliveries)} 2xx deliveries), ` +
        `${int(d.unexpected.unacknowledged)} from requests never acknowledged.`,
      '',
    );
  }
  if (d.quickRepeats.count > 0) {
    lines.push(
      `Requests that followed a failed one for the same pair sooner than the shortest retry delay (receiver clock; ` +
        `repeats of one attempt, not necessarily retries): ${int(d.quickRepeats.count)}.`,
      '',
    );
  }
  const noisy = Object.entries(s.serviceLogs).filter(([, log]) => log.warnings + log.errors > 0);
  if (noisy.length > 0) {
    lines.push('Service logs (warnings / errors; most frequent messages):', '');
    for (const [name, log] of noisy) {
      lines.push(`- ${name}: ${int(log.warnings)} / ${int(log.errors)}`);
      for (const top of log.top.slice(0, 4))
        lines.push(`  - ${top.count} × \`${top.message.replace(/`/g, "'")}\``);
    }
    lines.push('');
  }
  return lines;
}

function markdown(report) {
  const m = report.machine;
  const c = report.configuration;
  const lines = [
    '# Hookline under faults',
    '',
    `\`${report.command}\` (${report.mode}), ${report.startedAt.slice(0, 10)}, ${Math.round(report.durationSeconds / 60)} min. ` +
      `Result: **${report.ok ? 'passed' : 'FAILED'}**.`,
    '',
  ];
  if (report.failures.length > 0) {
    lines.push('Failures:', '');
    for (const failure of report.failures) lines.push(`- ${failure}`);
    lines.push('');
  }
  lines.push(
    '## Summary',
    '',
    summaryTable(report.scenarios),
    '',
    'Expected = accepted events × the endpoints of their tenant. Lost = expected pairs (event, endpoint) with no 2xx ' +
      `answer by the end of the drain. Duplicates = 2xx answers beyond the first for a pair. Early retries = retries in the ` +
      `delivery log that started before the previous attempt's end plus the scheduled delay, of all retries checked. ` +
      'Bad signatures = requests failing the Standard Webhooks or `sha256=` check, of all requests. Time to drain = from ' +
      "the end of the load and faults to the last expected pair's first 2xx.",
    '',
    `Duplicate goal: ≤ ${DUPLICATE_GOAL_PERCENT} % of deliveries per fault scenario, none without faults.` +
      (report.goalsMissed.length > 0 ? ' **Missed:**' : ' Met everywhere.'),
    '',
  );
  for (const miss of report.goalsMissed) lines.push(`- ${miss}`);
  if (report.goalsMissed.length > 0) lines.push('');
  lines.push(
    '## Machine',
    '',
    `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}; Node.js ${m.node}, Apache Kafka ${m.kafka}, ` +
      `PostgreSQL ${m.postgres}, ${m.java}. Load average at start ${m.loadAverageAtStart.join(' / ')}, at end ` +
      `${m.loadAverageAtEnd.join(' / ')}; other work may share the machine.`,
    '',
    '## Setup',
    '',
    `- Every scenario on a fresh stack: a fresh single-node Kafka broker (KRaft), a fresh database, the four built ` +
      'services as separate processes, receivers on loopback.',
    `- Load: ${c.rate} events/s of \`user.created\` (about 1 KiB), tenants in turn; REST requests carry one event and an ` +
      `\`Idempotency-Key\` and are retried with the same key (up to ${c.retryWindowSeconds} s) until answered 202; ` +
      `${Math.round(c.kafkaShare * 100)} % are written to \`hookline.ingest\` by Apache Kafka's console producer ` +
      `(\`${c.consoleProducer}\`), the tenant in the \`hookline-tenant-id\` header, with ids of the suite's own.`,
    `- Endpoints: ${c.endpoints.map((e) => `${e.name} (tenant ${e.tenant}${e.flaky ? `, 503 to ~${e.flaky.failRatio * 100} % of the first ${e.flaky.failUpTo} requests per event` : ''})`).join(', ')}. ` +
      'Every request is checked with the `standardwebhooks` package and the `sha256=` HMAC.',
    `- Service settings: ${Object.entries(c.serviceSettings)
      .map(([key, value]) => `\`${key}=${value}\``)
      .join(', ')}; everything else at its default.`,
    `- Drain: up to ${c.drainSeconds} s after the load and faults, then ${c.settleSeconds} s more in which late duplicates count.`,
    '',
    '## Scenarios',
    '',
  );
  report.scenarios.forEach((s, i) => lines.push(...scenarioSection(s, i + 1)));
  return `${lines.join('\n')}\n`;
}

/** Writes report.json and report.md into `outDir`; resolves with their names. */
export async function writeReports(report, outDir) {
  const prettier = await import('prettier');
  const files = {
    'report.json': `${JSON.stringify(report, null, 2)}\n`,
    'report.md': markdown(report),
  };
  for (const [name, text] of Object.entries(files)) {
    const path = join(outDir, name);
    const config = (await prettier.resolveConfig(path)) ?? {};
    writeFileSync(path, await prettier.format(text, { ...config, filepath: path }));
  }
  return Object.keys(files);
}
