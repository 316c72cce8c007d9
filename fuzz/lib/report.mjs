// The run's figures: a summary table on the console and report.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const int = (value) => (value ?? 0).toLocaleString('en-US');

/** A request or call as printed for a failure: enough to read it and to send it again by hand. */
export function describeCase(testCase) {
  const text = (value, limit) => {
    const raw = Buffer.isBuffer(value) ? value.toString('latin1') : String(value);
    const cut = raw.length > limit ? `${raw.slice(0, limit)}… (${raw.length} characters)` : raw;
    return JSON.stringify(cut);
  };
  if (testCase.transport === 'grpc') {
    return {
      call: testCase.path,
      authorization: testCase.auth,
      bytes: testCase.bytes.length,
      hex: testCase.bytes.subarray(0, 400).toString('hex') + (testCase.bytes.length > 400 ? '…' : ''),
    };
  }
  const { method, path, version, headers, body, framing } = testCase.request;
  return {
    requestLine: `${text(method, 40)} ${text(path, 300)} ${text(version, 40)}`,
    headers: headers.map(([name, value]) => `${text(name, 80)}: ${text(value, 200)}`),
    framing,
    body: body === undefined ? null : { bytes: body.length, text: text(body, 600) },
  };
}

/** Counts per service: requests, answers by class and by status (or gRPC code), failures by category. */
export function tally(records) {
  const services = {};
  for (const record of records) {
    const row = (services[record.service] ??= { requests: 0, outcomes: {}, answers: {}, failures: {} });
    row.requests += 1;
    row.outcomes[record.outcome] = (row.outcomes[record.outcome] ?? 0) + 1;
    row.answers[record.answer] = (row.answers[record.answer] ?? 0) + 1;
    if (!record.ok) row.failures[record.category] = (row.failures[record.category] ?? 0) + 1;
  }
  return services;
}

/** The console summary. */
export function summaryLines(report) {
  const lines = [];
  const header = [
    'Service',
    'Requests',
    'Accepted',
    'Refused (named)',
    '5xx / INTERNAL',
    'Hangs',
    'No answer',
    'Unnamed refusals',
  ];
  const rows = [header, header.map(() => '---')];
  for (const [service, row] of Object.entries(report.counts)) {
    const accepted = (row.outcomes['2xx'] ?? 0) + (row.outcomes['3xx'] ?? 0) + (row.outcomes.OK ?? 0);
    const failures = Object.values(row.failures).reduce((a, b) => a + b, 0);
    rows.push([
      service,
      int(row.requests),
      int(accepted),
      int(row.requests - accepted - failures),
      int(row.failures['5xx']),
      int(row.failures.hang),
      int((row.failures['no-answer'] ?? 0) + (row.failures['malformed-answer'] ?? 0)),
      int(row.failures['unnamed-4xx']),
    ]);
  }
  lines.push(...table(rows));
  lines.push('');
  const memory = [
    ['Service', 'RSS before', 'RSS after', 'Growth', 'Heap before', 'Heap after', 'Alive and ready after'],
    Array(7).fill('---'),
  ];
  for (const [name, m] of Object.entries(report.memory)) {
    memory.push([
      name,
      `${m.before.rssMiB} MiB`,
      `${m.after?.rssMiB ?? '—'} MiB`,
      m.after ? `${(m.after.rssMiB - m.before.rssMiB).toFixed(1)} MiB (bound ${report.rssBoundMiB})` : '—',
      `${m.before.heapUsedMiB} MiB`,
      m.after
        ? `${m.after.heapUsedMiB} MiB (+${(m.after.heapUsedMiB - m.before.heapUsedMiB).toFixed(1)}, bound ${report.heapBoundMiB})`
        : '—',
      report.liveness[name]?.ok ? 'yes' : `NO: ${report.liveness[name]?.why}`,
    ]);
  }
  lines.push(...table(memory));
  return lines;
}

function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  return rows.map(
    (row) =>
      `| ${row.map((cell, column) => (cell === '---' ? '-'.repeat(widths[column]) : String(cell).padEnd(widths[column]))).join(' | ')} |`,
  );
}

/** Writes report.json, formatted with the repository's Prettier settings; returns its path. */
export async function writeReport(report, outDir) {
  const file = join(outDir, 'report.json');
  const prettier = await import('prettier');
  const config = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(JSON.stringify(report), { ...config, filepath: file }));
  return file;
}
