// The benchmark's reports: report.json (everything), report.md (tables), chart.svg, and the
// README's performance section (README-performance.md).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { renderChart } from './chart.mjs';
import { ratio } from './stats.mjs';

const require = createRequire(import.meta.url);

const NAMES = { hookline: 'Hookline', undici: 'bare undici loop (ceiling)', bullmq: 'BullMQ (best tuning)' };
const TARGETS = {
  deliveriesPerSecond: 6000,
  ceilingRatio: 0.6,
  bullmqRatio: 2,
  p99Ms: 50,
  p50Ms: 10,
  neighbourRatio: 2,
  dispatcherRssMiB: 256,
};

const fmt = (value, digits = 0) =>
  value === null || value === undefined
    ? '—'
    : Number(value).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (value) => (value === null || value === undefined ? '—' : `${fmt(value, value < 100 ? 1 : 0)} ms`);
const times = (value) => (value === null || value === undefined ? '—' : `${fmt(value, 2)} ×`);

function phase(report, system, id) {
  return report.systems[system]?.results?.find((result) => result.id === id);
}

function verdict(ok) {
  if (ok === null || ok === undefined) return 'not measured';
  return ok ? 'met' : 'missed';
}

/** The headline figures and each target's status. */
export function summarise(report) {
  const s = { throughput: {}, latency: {}, slow: {}, storm: {}, targets: [] };
  const fanouts = report.configuration.profile.throughput.fanouts;
  for (const fanout of fanouts) {
    const row = {};
    for (const system of ['hookline', 'undici', 'bullmq'])
      row[system] = phase(report, system, `throughput-fanout-${fanout}`)?.deliveriesPerSecond ?? null;
    row.ceilingRatio = ratio(row.hookline, row.undici);
    row.bullmqRatio = ratio(row.hookline, row.bullmq);
    s.throughput[fanout] = row;
  }
  for (const rate of report.configuration.profile.latency.rates) {
    s.latency[rate] = {};
    for (const system of ['hookline', 'undici', 'bullmq'])
      s.latency[rate][system] = phase(report, system, `latency-${rate}`)?.latencyMs ?? null;
  }
  for (const system of ['hookline', 'bullmq']) {
    const alone = phase(report, system, 'slow-alone');
    const slow = phase(report, system, 'slow-neighbour');
    if (alone && slow)
      s.slow[system] = {
        aloneP99: alone.latencyMs.p99,
        neighbourP99: slow.latencyMs.p99,
        ratio: ratio(slow.latencyMs.p99, alone.latencyMs.p99),
      };
    const aloneRate = phase(report, system, 'storm-alone-rate');
    const failingRate = phase(report, system, 'storm-failing-rate');
    const aloneFlat = phase(report, system, 'storm-alone-saturate');
    const failingFlat = phase(report, system, 'storm-failing-saturate');
    if (aloneRate && failingRate) {
      s.storm[system] = {
        aloneP99: aloneRate.latencyMs.p99,
        failingP99: failingRate.latencyMs.p99,
        ratio: ratio(failingRate.latencyMs.p99, aloneRate.latencyMs.p99),
        aloneThroughput: aloneFlat?.deliveriesPerSecond ?? null,
        failingThroughput: failingFlat?.deliveriesPerSecond ?? null,
        throughputRatio: ratio(failingFlat?.deliveriesPerSecond, aloneFlat?.deliveriesPerSecond),
      };
    }
  }
  const dispatcherRss = fanouts
    .map(
      (fanout) =>
        phase(report, 'hookline', `throughput-fanout-${fanout}`)?.resources?.processes?.dispatcher
          ?.peakRssMiB,
    )
    .filter((value) => value !== undefined && value !== null);
  s.dispatcherPeakRssMiB = dispatcherRss.length ? Math.max(...dispatcherRss) : null;

  const t = s.targets;
  const add = (target, measured, ok) => t.push({ target, measured, status: verdict(ok) });
  const known = (value) => value !== null && value !== undefined;
  for (const fanout of fanouts) {
    const row = s.throughput[fanout];
    add(
      `≥ ${fmt(TARGETS.deliveriesPerSecond)} deliveries/s sustained, fan-out ${fanout}`,
      known(row.hookline) ? `${fmt(row.hookline)}/s` : '—',
      known(row.hookline) ? row.hookline >= TARGETS.deliveriesPerSecond : null,
    );
    add(
      `≥ ${TARGETS.ceilingRatio} × bare-undici ceiling, fan-out ${fanout}`,
      known(row.ceilingRatio)
        ? `${times(row.ceilingRatio)} (${fmt(row.hookline)} / ${fmt(row.undici)})`
        : '—',
      known(row.ceilingRatio) ? row.ceilingRatio >= TARGETS.ceilingRatio : null,
    );
    add(
      `≥ ${TARGETS.bullmqRatio} × best-tuned BullMQ, fan-out ${fanout}`,
      known(row.bullmqRatio) ? `${times(row.bullmqRatio)} (${fmt(row.hookline)} / ${fmt(row.bullmq)})` : '—',
      known(row.bullmqRatio) ? row.bullmqRatio >= TARGETS.bullmqRatio : null,
    );
  }
  const fast = s.latency[1000]?.hookline;
  add(
    `end-to-end p99 ≤ ${TARGETS.p99Ms} ms at 1,000 events/s`,
    fast ? ms(fast.p99) : '—',
    fast?.p99 != null ? fast.p99 <= TARGETS.p99Ms : null,
  );
  add(
    `end-to-end p50 ≤ ${TARGETS.p50Ms} ms at 1,000 events/s`,
    fast ? ms(fast.p50) : '—',
    fast?.p50 != null ? fast.p50 <= TARGETS.p50Ms : null,
  );
  const slow = s.slow.hookline;
  add(
    `fast endpoints' p99 with a slow neighbour ≤ ${TARGETS.neighbourRatio} × alone`,
    slow ? `${times(slow.ratio)} (${ms(slow.neighbourP99)} vs ${ms(slow.aloneP99)})` : '—',
    slow?.ratio != null ? slow.ratio <= TARGETS.neighbourRatio : null,
  );
  const storm = s.storm.hookline;
  add(
    `healthy endpoints' p99 with failing neighbours ≤ ${TARGETS.neighbourRatio} × alone`,
    storm ? `${times(storm.ratio)} (${ms(storm.failingP99)} vs ${ms(storm.aloneP99)})` : '—',
    storm?.ratio != null ? storm.ratio <= TARGETS.neighbourRatio : null,
  );
  add(
    `dispatcher peak RSS < ${TARGETS.dispatcherRssMiB} MiB at full throughput`,
    known(s.dispatcherPeakRssMiB) ? `${fmt(s.dispatcherPeakRssMiB, 1)} MiB` : '—',
    known(s.dispatcherPeakRssMiB) ? s.dispatcherPeakRssMiB < TARGETS.dispatcherRssMiB : null,
  );
  return s;
}

function table(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

function chartData(report, summary) {
  const systems = ['hookline', 'undici', 'bullmq'].filter(
    (system) => report.systems[system]?.results?.length,
  );
  const fanouts = Object.keys(summary.throughput);
  const rates = Object.keys(summary.latency);
  return {
    title: `Hookline benchmark (${report.mode}) — ${report.machine.cores} cores, everything co-located — ${report.startedAt.slice(0, 10)}`,
    throughput: {
      groups: fanouts.map((f) => `fan-out ${f}`),
      series: Object.fromEntries(
        systems.map((system) => [system, fanouts.map((f) => summary.throughput[f][system])]),
      ),
      target: TARGETS.deliveriesPerSecond,
    },
    latency: {
      groups: rates.map((r) => `${fmt(Number(r))} events/s`),
      series: Object.fromEntries(
        systems.map((system) => [system, rates.map((r) => summary.latency[r][system])]),
      ),
      target: TARGETS.p99Ms,
    },
  };
}

function resourcesSection(report) {
  const out = [];
  for (const system of ['hookline', 'undici', 'bullmq']) {
    for (const result of report.systems[system]?.results ?? []) {
      if (!result.resources || result.scenario !== 'throughput' || result.id.startsWith('tuning')) continue;
      out.push(
        `**${NAMES[system]}, ${result.title}** — ${fmt(result.deliveriesPerSecond)} deliveries/s; machine CPU busy ${fmt(result.resources.machineCpuBusyPercent, 1)} % over ${fmt(result.resources.seconds, 1)} s, of which ${fmt(result.resources.otherProcessesCores, 2)} cores went to processes outside this table.\n`,
      );
      out.push(
        table(
          ['Process', 'CPU (cores, average)', 'Peak RSS (MiB)'],
          Object.entries(result.resources.processes).map(([name, p]) => [
            name,
            fmt(p.cpuCores, 2),
            p.peakRssMiB === null ? '—' : fmt(p.peakRssMiB, 1),
          ]),
        ),
      );
      out.push('');
    }
  }
  return out.join('\n');
}

function profileSection(report) {
  const p = report.profile;
  if (!p) return 'Not profiled in this run.';
  if (p.error) return `Profile unavailable: ${p.error}.`;
  const callers = p.byCaller ?? p.byOwner;
  const share = (name) =>
    p.topFunctions.filter((f) => name.test(f.function)).reduce((sum, f) => sum + f.percentOfBusy, 0);
  const keyChecks = share(/^(getKeyObjectSlots|getSlots)$/);
  const lines = [
    `The dispatcher's CPU during scenario 1, fan-out 1, sampled by \`node --cpu-prof\` (${report.mode === 'full' ? 'a separate repeat of the run, so profiling does not slow the headline one' : 'the run itself'}; ${fmt(p.deliveriesPerSecond)} deliveries/s while profiled). ` +
      `It was busy ${fmt(p.busyMs)} ms of the ${fmt(p.wallMs)} ms measured. ` +
      `Time is charged to the nearest package, app or lib on the stack, so Node.js internals count for whoever called them (an HMAC for the signing code, a socket write for the client that wrote):`,
    '',
    table(
      ['Charged to', 'CPU time', 'Share of busy'],
      callers.slice(0, 12).map((o) => [o.owner, `${fmt(o.selfMs)} ms`, `${fmt(o.percentOfBusy, 1)} %`]),
    ),
    '',
    `In short: ${callers
      .slice(0, 4)
      .map((o) => `${o.owner} ${fmt(o.percentOfBusy, 0)} %`)
      .join(', ')}.`,
  ];
  if (keyChecks >= 2) {
    lines.push(
      '',
      `${fmt(keyChecks, 1)} % of the busy time is Node's key-object checks (\`getKeyObjectSlots\`, \`getSlots\`) inside \`crypto.createHmac\`: it is handed the secret as a \`Buffer\`, which on Node.js 24 costs several times the HMAC itself. A \`KeyObject\` made once per secret (\`crypto.createSecretKey\`) avoids it.`,
    );
  }
  lines.push(
    '',
    'Top functions by self time:',
    '',
    table(
      ['Function', 'Where', 'Self time', 'Share of busy'],
      p.topFunctions.map((f) => [
        `\`${f.function}\``,
        f.location ? `\`${f.location}\`` : '',
        `${fmt(f.selfMs)} ms`,
        `${fmt(f.percentOfBusy, 1)} %`,
      ]),
    ),
  );
  return lines.join('\n');
}

function verificationSection(report) {
  const rows = [];
  const details = [];
  for (const [system, outcome] of Object.entries(report.systems)) {
    if (outcome.skipped) {
      rows.push([NAMES[system], '—', '—', '—', '—', `skipped: ${outcome.skipped}`]);
      continue;
    }
    const v = outcome.verification;
    const problems = Object.entries(v.problems).map(([kind, entry]) => `${kind}: ${entry.count}`);
    rows.push([
      NAMES[system],
      fmt(v.countedDeliveriesExpected),
      fmt(v.countedDeliveriesArrivedOnce),
      fmt(v.requestsSeen),
      fmt(v.signaturesChecked),
      problems.length ? problems.join('; ') : outcome.error ? `error: ${outcome.error}` : 'none',
    ]);
    for (const [kind, entry] of Object.entries(v.problems))
      details.push(`- ${NAMES[system]} — ${kind}: e.g. \`${JSON.stringify(entry.examples[0])}\``);
  }
  return [
    table(
      [
        'System',
        'Counted deliveries expected',
        'Arrived exactly once',
        'Requests seen',
        'Signatures verified',
        'Problems',
      ],
      rows,
    ),
    ...(details.length ? ['', ...details] : []),
  ].join('\n');
}

function markdown(report, summary) {
  const m = report.machine;
  const fanouts = Object.keys(summary.throughput);
  const bullmq = report.systems.bullmq;
  const lines = [];
  lines.push(
    `# Hookline benchmark — ${report.mode} run, ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
  );
  lines.push('');
  lines.push(
    `\`${report.command}\` — ${fmt(report.durationSeconds / 60, 1)} min. ` +
      (report.ok
        ? 'Every counted delivery arrived exactly once and sampled signatures verified.'
        : `**FAILED**: ${report.failures.join('; ')}`),
  );
  if (report.mode === 'smoke')
    lines.push(
      '',
      '> Smoke run: a few seconds per scenario at a tiny load. It proves the harness works; its numbers mean nothing.',
    );
  lines.push('', '![Throughput and latency](chart.svg)', '', '## Machine', '');
  lines.push(
    table(
      ['', ''],
      [
        ['CPU', `${m.cores} cores (${m.cpuModel})`],
        ['Memory', `${fmt(m.memoryGiB, 1)} GiB`],
        ['OS', m.os],
        ['Node.js', m.node],
        ['Kafka', m.kafka ? `${m.kafka} (one KRaft node)` : '—'],
        ['PostgreSQL', m.postgres ?? '—'],
        ['Redis', m.redis ?? '—'],
        [
          'Libraries',
          Object.entries(m.packages)
            .map(([name, version]) => `${name} ${version}`)
            .join(', '),
        ],
        [
          'Load average (1, 5, 15 min), start → end',
          `${m.loadAverageAtStart.join(', ')} → ${(m.loadAverageAtEnd ?? []).join(', ')}`,
        ],
      ],
    ),
  );
  lines.push(
    '',
    'Everything — Kafka, PostgreSQL, the four services, Redis, the receivers and the load generator — shares this machine, so each system competes with its own infrastructure for the same cores.',
  );
  lines.push(
    '',
    '## Targets',
    '',
    table(
      ['Target', 'Measured', 'Status'],
      summary.targets.map((t) => [t.target, t.measured, t.status]),
    ),
  );

  lines.push(
    '',
    '## 1. Throughput',
    '',
    'Sustained deliveries/s of 1 KiB events to receivers on loopback, flat out with a bounded backlog (see Method).',
    '',
  );
  lines.push(
    table(
      ['', ...fanouts.map((f) => `fan-out ${f}`)],
      [
        ['Hookline', ...fanouts.map((f) => fmt(summary.throughput[f].hookline))],
        ['bare undici loop (ceiling)', ...fanouts.map((f) => fmt(summary.throughput[f].undici))],
        [
          `BullMQ${bullmq?.tuning ? ` (${bullmq.tuning.workers} process(es) × concurrency ${bullmq.tuning.concurrency})` : ''}`,
          ...fanouts.map((f) => fmt(summary.throughput[f].bullmq)),
        ],
        ['Hookline ÷ ceiling', ...fanouts.map((f) => times(summary.throughput[f].ceilingRatio))],
        ['Hookline ÷ BullMQ', ...fanouts.map((f) => times(summary.throughput[f].bullmqRatio))],
      ],
    ),
  );
  const counters = fanouts
    .map((f) => [f, phase(report, 'hookline', `throughput-fanout-${f}`)?.platformCounters])
    .filter(([, c]) => c);
  if (counters.length) {
    lines.push(
      '',
      "Hookline's own counters over each throughput run (dispatcher `/metrics`, warm-up included):",
      '',
    );
    for (const [f, c] of counters)
      lines.push(
        `- fan-out ${f}: ${Object.entries(c)
          .map(([k, v]) => `${k} ${fmt(v)}`)
          .join(', ')}`,
      );
  }

  lines.push(
    '',
    '## 2. End-to-end latency',
    '',
    'From the moment the producer has its answer (ingest `202`; `addBulk` resolved for BullMQ; just before the request for the ceiling) to the moment the receiver has the whole request. One endpoint, events sent every few milliseconds at a fixed rate.',
    '',
  );
  const latencyRows = [];
  for (const [rate, bySystem] of Object.entries(summary.latency)) {
    for (const [system, l] of Object.entries(bySystem)) {
      if (!l) continue;
      const r = phase(report, system, `latency-${rate}`);
      latencyRows.push([
        NAMES[system],
        `${fmt(Number(rate))}/s`,
        ms(l.p50),
        ms(l.p95),
        ms(l.p99),
        ms(l.max),
        `${fmt(r.eventsPerSecond)}/s`,
      ]);
    }
  }
  lines.push(table(['System', 'Rate', 'p50', 'p95', 'p99', 'max', 'Events accepted'], latencyRows));

  const i = report.configuration.profile.isolation;
  lines.push(
    '',
    '## 3. Slow endpoint',
    '',
    `Ten endpoints at ${fmt(i.rate)} events/s: one answers after ${i.slowDelayMs / 1000} s, nine at once. The nine fast ones' latency, compared with the same nine alone at the same rate.`,
    '',
  );
  lines.push(
    table(
      [
        'System',
        "Fast endpoints' p99 alone",
        'With the slow neighbour',
        'Ratio',
        'Slow endpoint answered during the run',
      ],
      Object.entries(summary.slow).map(([system, x]) => [
        NAMES[system],
        ms(x.aloneP99),
        ms(x.neighbourP99),
        times(x.ratio),
        fmt(phase(report, system, 'slow-neighbour')?.requestsByRole?.slow?.ok),
      ]),
    ),
  );
  lines.push(
    '',
    '## 4. Retry storm',
    '',
    `Ten endpoints, five answering 500. The five healthy ones' p99 at ${fmt(i.rate)} events/s and their throughput flat out, each compared with the five alone.`,
    '',
  );
  lines.push(
    table(
      [
        'System',
        'Healthy p99 alone',
        'With failing neighbours',
        'Ratio',
        'Healthy deliveries/s alone',
        'With failing neighbours',
        'Ratio',
        'Requests to failing endpoints',
      ],
      Object.entries(summary.storm).map(([system, x]) => [
        NAMES[system],
        ms(x.aloneP99),
        ms(x.failingP99),
        times(x.ratio),
        fmt(x.aloneThroughput),
        fmt(x.failingThroughput),
        times(x.throughputRatio),
        fmt(phase(report, system, 'storm-failing-saturate')?.requestsByRole?.failing?.requests),
      ]),
    ),
  );
  lines.push(
    '',
    '## 5. Resources during scenario 1',
    '',
    'Average CPU over the measured window (user + system time from `/proc/<pid>/stat`) and peak resident memory (`VmHWM`, reset at the window start).',
    '',
  );
  lines.push(resourcesSection(report));
  lines.push('', "## Where the dispatcher's time goes", '', profileSection(report));
  if (bullmq?.tuningSweep?.length) {
    lines.push(
      '',
      '## BullMQ tuning',
      '',
      'Flat out at fan-out 1; the best setting is used for every BullMQ figure above.',
      '',
    );
    lines.push(
      table(
        ['Worker processes', 'Concurrency per process', 'Deliveries/s'],
        bullmq.tuningSweep.map((x) => [x.workers, x.concurrency, fmt(x.deliveriesPerSecond)]),
      ),
    );
  }
  if (bullmq?.skipped) lines.push('', `BullMQ baseline skipped: ${bullmq.skipped}.`);
  const late = Object.entries(report.systems).flatMap(([system, outcome]) =>
    (outcome.results ?? [])
      .filter((r) => !r.drained)
      .map(
        (r) =>
          `- ${NAMES[system]}, ${r.title}: ${fmt(r.missing)} deliveries had not arrived ${fmt(r.drainMs / 1000)} s after the load stopped, so that run's percentiles leave them out; the endpoints stayed registered and those deliveries were checked again at the end (below).`,
      ),
  );
  if (late.length) lines.push('', '## Runs that did not drain', '', ...late);
  lines.push('', '## Delivery checks', '', verificationSection(report));
  lines.push('', '## Method', '', ...methodNotes(report));
  return `${lines.join('\n')}\n`;
}

function methodNotes(report) {
  const p = report.configuration.profile;
  return [
    `- Events are \`user.created\` with a padded \`data\` so each webhook body is about 1 KiB (mean body size per run is in report.json). Every system sends the same envelope, signed the same two ways (\`X-Hookline-Signature: sha256=…\` and Standard Webhooks).`,
    `- Hookline runs as four separate processes (\`apps/*/dist/main.js\`) on a fresh single-node Kafka and a fresh PostgreSQL database, configured by environment with the service defaults; endpoints are registered with \`POST /v1/webhooks\` and events sent to \`POST /v1/events\` in batches of ${p.throughput.batchSize} (flat out) or every ${p.latency.tickMs} ms (fixed rates). Every attempt and event is written to PostgreSQL and offsets are committed only once outcomes are durable.`,
    `- Flat out means the load generator keeps at most ${fmt(p.throughput.backlogPerEndpoint)} deliveries per endpoint outstanding (sent but not yet received), so what is measured is the rate a system sustains, not how fast Kafka or Redis absorbs a burst. That is below the dispatcher's default per-endpoint capacity (16 in flight + 512 waiting, or fewer when the queue would take longer than 5 s to clear); beyond it, Hookline defers deliveries to its retry path on purpose (it protects the other endpoints), and scenario 1 would measure that path instead. The first ${p.throughput.warmupMs / 1000} s are warm-up; deliveries/s counts receiver arrivals in the next ${p.throughput.measureMs / 1000} s.`,
    ...(p.stackWarmup
      ? [
          `- Before its first measured phase every stack runs, unmeasured, ${p.stackWarmup.flatOutMs / 1000} s of scenario 1 (fan-out 1, flat out) and ${p.stackWarmup.atRateMs / 1000} s at ${fmt(Math.max(...p.latency.rates))} events/s, so that the broker's and the services' JIT compilers have done their work before anything is measured.`,
        ]
      : []),
    '- The ceiling is a bare undici loop in its own process posting the same signed bodies to the same receivers with 16 requests in flight per endpoint (the dispatcher default), no queue, broker or database.',
    '- The BullMQ baseline is what a Node team would build instead: the producer enqueues one job per (event, endpoint) with `addBulk`; worker processes sign with HMAC-SHA256 and POST with undici over keep-alive; non-2xx answers throw so BullMQ retries (10 attempts, 5 s backoff); completed and failed jobs are removed. It keeps no attempt log. It was tuned by a sweep over worker processes × concurrency and the best setting kept.',
    '- Receivers are plain `node:http` servers, one port per endpoint, in a process of their own. They log the event id, delivery id, arrival time and answer of every request; after each run the log is checked against the acknowledged events: each counted delivery exactly once, nothing unexpected, signatures verified on a sample. Slow and failing endpoints are checked for unexpected and doubled deliveries, not for completeness.',
    '- Latencies use the same wall clock in every process (`performance.timeOrigin + performance.now()`).',
    "- The runs are interleaved — each phase runs for every system before the next phase starts — so a change in the machine's other load during the run does not favour one system. All stacks stay up for the whole run (idle when it is not their turn).",
    '- Targets are reported, not enforced: `npm run bench` fails only when a delivery is lost, doubled, unexpected or badly signed.',
  ];
}

function readmeSection(report, summary) {
  const fanouts = Object.keys(summary.throughput);
  const rows = [];
  for (const f of fanouts) {
    const t = summary.throughput[f];
    rows.push([
      `Deliveries/s, fan-out ${f}`,
      fmt(t.hookline),
      fmt(t.undici),
      fmt(t.bullmq),
      times(t.ceilingRatio),
      times(t.bullmqRatio),
    ]);
  }
  for (const [rate, bySystem] of Object.entries(summary.latency)) {
    for (const key of ['p50', 'p99']) {
      const h = bySystem.hookline?.[key];
      const u = bySystem.undici?.[key];
      const b = bySystem.bullmq?.[key];
      rows.push([`${key} latency at ${fmt(Number(rate))} events/s`, ms(h), ms(u), ms(b), '', '']);
    }
  }
  const slow = summary.slow.hookline;
  const storm = summary.storm.hookline;
  const lines = [
    '## Performance',
    '',
    `Measured by \`npm run bench\` on ${report.machine.cores} cores (${report.machine.cpuModel}), ${fmt(report.machine.memoryGiB, 0)} GiB, Node.js ${report.machine.node}, Kafka ${report.machine.kafka ?? '—'}, PostgreSQL ${report.machine.postgres ?? '—'}, everything on the same machine, ${report.startedAt.slice(0, 10)}. Full report: [bench/results/report.md](bench/results/report.md).`,
    '',
    table(
      [
        '',
        'Hookline',
        'bare undici (ceiling)',
        'BullMQ (best tuning)',
        'Hookline ÷ ceiling',
        'Hookline ÷ BullMQ',
      ],
      rows,
    ),
    '',
  ];
  if (slow || storm) {
    lines.push(
      [
        slow
          ? `A slow neighbour (one endpoint answering after 5 s) moves the nine fast endpoints' p99 from ${ms(slow.aloneP99)} to ${ms(slow.neighbourP99)} (${times(slow.ratio)}).`
          : '',
        storm
          ? `Five neighbours answering 500 move the five healthy endpoints' p99 from ${ms(storm.aloneP99)} to ${ms(storm.failingP99)} (${times(storm.ratio)}) and their flat-out throughput from ${fmt(storm.aloneThroughput)}/s to ${fmt(storm.failingThroughput)}/s.`
          : '',
        summary.dispatcherPeakRssMiB !== null
          ? `The dispatcher's peak RSS at full throughput was ${fmt(summary.dispatcherPeakRssMiB, 1)} MiB.`
          : '',
      ]
        .filter(Boolean)
        .join(' '),
      '',
    );
  }
  lines.push(
    '![Throughput and latency](bench/results/chart.svg)',
    '',
    'Reproduce (about 15 minutes; `-- --smoke` runs the harness in under two):',
    '',
    '```sh',
    'npm run bench',
    '```',
    '',
  );
  return lines.join('\n');
}

async function formatMarkdown(text) {
  try {
    const prettier = require('prettier');
    const config = (await prettier.resolveConfig(join(process.cwd(), 'README.md'))) ?? {};
    return await prettier.format(text, { ...config, parser: 'markdown' });
  } catch {
    return text;
  }
}

/** Writes the reports to `outDir`; resolves with their file names. */
export async function writeReports(report, outDir) {
  const summary = summarise(report);
  report.summary = summary;
  writeFileSync(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, 'chart.svg'), renderChart(chartData(report, summary)));
  writeFileSync(join(outDir, 'report.md'), await formatMarkdown(markdown(report, summary)));
  writeFileSync(join(outDir, 'README-performance.md'), await formatMarkdown(readmeSection(report, summary)));
  return ['report.json', 'report.md', 'chart.svg', 'README-performance.md'].map((name) => join(outDir, name));
}
