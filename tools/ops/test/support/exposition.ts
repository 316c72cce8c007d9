/** One metric family of a Prometheus text exposition. */
export interface MetricFamily {
  readonly name: string;
  readonly type: string;
}

/** One sample line: its series name and labels. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Families (from `# TYPE` lines, so labelled metrics never observed count too) and samples. */
export function parseExposition(text: string): { families: MetricFamily[]; samples: Sample[] } {
  const families: MetricFamily[] = [];
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) families.push({ name: type[1], type: type[2] });
    if (line.startsWith('#') || line.trim() === '') continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+/.exec(line);
    if (!sample) throw new Error(`unparseable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const match of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[match[1]] = match[2];
    }
    samples.push({ name: sample[1], labels });
  }
  return { families, samples };
}

/** The series names a family can be queried by: histograms and summaries add their suffixes. */
export function queryableNames(family: MetricFamily): string[] {
  switch (family.type) {
    case 'histogram':
      return [`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`];
    case 'summary':
      return [family.name, `${family.name}_sum`, `${family.name}_count`];
    default:
      return [family.name];
  }
}
