// A dependency-free SVG chart: throughput per system (left) and latency percentiles (right, log scale).

const COLORS = { hookline: '#2563eb', undici: '#9ca3af', bullmq: '#f97316' };
const SHADES = { p50: 1, p95: 0.7, p99: 0.45 };
const LABELS = { hookline: 'Hookline', undici: 'bare undici (ceiling)', bullmq: 'BullMQ (best tuning)' };

const escape = (text) =>
  String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function text(x, y, content, { size = 12, anchor = 'middle', weight = 'normal', fill = '#111827' } = {}) {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${size}" text-anchor="${anchor}" font-weight="${weight}" fill="${fill}">${escape(content)}</text>`;
}

function niceMax(value) {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/**
 * `throughput`: `{ groups: ['fan-out 1', …], series: { hookline: [n, …], … }, target }`;
 * `latency`: `{ groups: ['200 events/s', …], series: { hookline: [{ p50, p95, p99 }, …], … }, target }`.
 */
export function renderChart({ title, throughput, latency }) {
  const width = 980;
  const height = 460;
  const top = 70;
  const bottom = 380;
  const parts = [];
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(text(width / 2, 26, title, { size: 16, weight: 'bold' }));

  // Left: throughput bars.
  {
    const left = 70;
    const right = 450;
    const systems = Object.keys(throughput.series);
    const values = systems.flatMap((s) => throughput.series[s]).filter((v) => v != null);
    const max = niceMax(Math.max(throughput.target ?? 0, ...values) * 1.1);
    const y = (v) => bottom - ((bottom - top) * v) / max;
    parts.push(
      text((left + right) / 2, 52, 'Sustained deliveries/s (1 KiB events)', { size: 13, weight: 'bold' }),
    );
    for (let i = 0; i <= 5; i += 1) {
      const v = (max * i) / 5;
      parts.push(`<line x1="${left}" x2="${right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`);
      parts.push(
        text(left - 6, y(v) + 4, Math.round(v).toLocaleString('en-US'), {
          size: 10,
          anchor: 'end',
          fill: '#6b7280',
        }),
      );
    }
    const groupWidth = (right - left) / throughput.groups.length;
    const barWidth = Math.min(40, (groupWidth * 0.8) / systems.length);
    throughput.groups.forEach((group, g) => {
      const start = left + g * groupWidth + (groupWidth - barWidth * systems.length) / 2;
      systems.forEach((system, s) => {
        const value = throughput.series[system][g];
        if (value == null) return;
        const x = start + s * barWidth;
        parts.push(
          `<rect x="${x.toFixed(1)}" y="${y(value).toFixed(1)}" width="${(barWidth - 3).toFixed(1)}" height="${(bottom - y(value)).toFixed(1)}" fill="${COLORS[system]}"/>`,
        );
        parts.push(
          text(x + barWidth / 2 - 1.5, y(value) - 4, Math.round(value).toLocaleString('en-US'), { size: 9 }),
        );
      });
      parts.push(text(left + g * groupWidth + groupWidth / 2, bottom + 18, group, { size: 12 }));
    });
    if (throughput.target) {
      parts.push(
        `<line x1="${left}" x2="${right}" y1="${y(throughput.target)}" y2="${y(throughput.target)}" stroke="#dc2626" stroke-dasharray="6 4"/>`,
      );
      parts.push(
        text(right, y(throughput.target) - 5, `target ${throughput.target.toLocaleString('en-US')}/s`, {
          size: 10,
          anchor: 'end',
          fill: '#dc2626',
        }),
      );
    }
    parts.push(`<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#374151"/>`);
  }

  // Right: latency percentiles on a log scale.
  {
    const left = 560;
    const right = 950;
    const systems = Object.keys(latency.series);
    const values = systems
      .flatMap((s) => latency.series[s].flatMap((p) => (p ? [p.p50, p.p95, p.p99] : [])))
      .filter((v) => v != null);
    const minExp = -1;
    const maxExp = Math.max(2, Math.ceil(Math.log10(Math.max(1, ...values))));
    const y = (v) => bottom - ((bottom - top) * (Math.log10(Math.max(v, 0.1)) - minExp)) / (maxExp - minExp);
    parts.push(
      text((left + right) / 2, 52, 'End-to-end latency, ms (202 → received; log scale)', {
        size: 13,
        weight: 'bold',
      }),
    );
    for (let e = minExp; e <= maxExp; e += 1) {
      const v = 10 ** e;
      parts.push(`<line x1="${left}" x2="${right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`);
      parts.push(
        text(left - 6, y(v) + 4, v >= 1 ? v.toLocaleString('en-US') : String(v), {
          size: 10,
          anchor: 'end',
          fill: '#6b7280',
        }),
      );
    }
    const groupWidth = (right - left) / latency.groups.length;
    const barWidth = Math.min(14, (groupWidth * 0.85) / (systems.length * 3 + systems.length));
    latency.groups.forEach((group, g) => {
      const clusterWidth = barWidth * (systems.length * 3 + systems.length - 1);
      let x = left + g * groupWidth + (groupWidth - clusterWidth) / 2;
      systems.forEach((system) => {
        const point = latency.series[system][g];
        for (const key of ['p50', 'p95', 'p99']) {
          const value = point?.[key];
          if (value != null && key === 'p99') {
            const label =
              value >= 100 ? Math.round(value).toLocaleString('en-US') : String(Math.round(value * 10) / 10);
            parts.push(text(x + barWidth / 2, y(value) - 4, label, { size: 8 }));
          }
          if (value != null) {
            parts.push(
              `<rect x="${x.toFixed(1)}" y="${y(value).toFixed(1)}" width="${(barWidth - 1.5).toFixed(1)}" height="${(bottom - y(value)).toFixed(1)}" fill="${COLORS[system]}" fill-opacity="${SHADES[key]}"><title>${escape(`${LABELS[system]} ${group} ${key}: ${value} ms`)}</title></rect>`,
            );
          }
          x += barWidth;
        }
        x += barWidth;
      });
      parts.push(text(left + g * groupWidth + groupWidth / 2, bottom + 18, group, { size: 12 }));
    });
    if (latency.target) {
      parts.push(
        `<line x1="${left}" x2="${right}" y1="${y(latency.target)}" y2="${y(latency.target)}" stroke="#dc2626" stroke-dasharray="6 4"/>`,
      );
      parts.push(
        text(right, y(latency.target) - 5, `p99 target ${latency.target} ms`, {
          size: 10,
          anchor: 'end',
          fill: '#dc2626',
        }),
      );
    }
    parts.push(`<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#374151"/>`);
    parts.push(
      text((left + right) / 2, bottom + 36, 'bars per system: p50, p95, p99 (lighter = higher percentile)', {
        size: 10,
        fill: '#6b7280',
      }),
    );
  }

  // Legend.
  const systems = Object.keys(throughput.series);
  let x = 70;
  for (const system of systems) {
    parts.push(`<rect x="${x}" y="${height - 28}" width="12" height="12" fill="${COLORS[system]}"/>`);
    parts.push(text(x + 18, height - 18, LABELS[system], { size: 12, anchor: 'start' }));
    x += 40 + LABELS[system].length * 6.5;
  }

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">\n${parts.join('\n')}\n</svg>\n`;
}
