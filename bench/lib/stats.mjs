// Summary statistics of measured samples.

/** The q-quantile (0..1) of an ascending array by linear interpolation; `null` when empty. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/** p50/p95/p99/max/mean of latencies in milliseconds, rounded to 0.1 ms. */
export function latencySummary(values) {
  const sorted = Float64Array.from(values).sort();
  const round = (value) => (value === null ? null : Math.round(value * 10) / 10);
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    p50: round(quantile(sorted, 0.5)),
    p95: round(quantile(sorted, 0.95)),
    p99: round(quantile(sorted, 0.99)),
    max: round(sorted.length ? sorted[sorted.length - 1] : null),
    mean: round(sorted.length ? sum / sorted.length : null),
  };
}

/** `a / b` rounded to two decimals, or `null` when either side is missing or `b` is zero. */
export function ratio(a, b) {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return Math.round((a / b) * 100) / 100;
}
