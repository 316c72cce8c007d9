import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type EndpointStatsDto } from './api';
import { formatMs, formatRate, REASON_LABELS, STATUS_LABELS } from './format';

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{STATUS_LABELS[status] ?? status}</span>;
}

export function ActiveBadge({ active }: { active: boolean }) {
  return (
    <span class={`badge ${active ? 'badge-succeeded' : 'badge-failed'}`}>
      {active ? 'Enabled' : 'Disabled'}
    </span>
  );
}

export function ErrorNotice({ error, what }: { error: Error | undefined; what?: string }) {
  if (!error) return null;
  const fields = error instanceof ApiError ? error.fieldMessages : [];
  return (
    <div class="notice notice-error" role="alert">
      <p>
        {what ? `${what}: ` : ''}
        {error.message}
      </p>
      {fields.length > 0 && (
        <ul>
          {fields.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="muted" role="status">
      {what}…
    </p>
  );
}

let firstView = true;

export function PageTitle({
  children,
  actions,
}: {
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // After a move to another view, focus its heading so keyboard and screen-reader users start there;
    // the page's first view keeps the browser's own start (the skip link comes first).
    if (firstView) firstView = false;
    else ref.current?.focus();
  }, []);
  return (
    <div class="page-title">
      <h1 tabIndex={-1} ref={ref}>
        {children}
      </h1>
      {actions && <div class="actions">{actions}</div>}
    </div>
  );
}

export function CodeBlock({ code, label }: { code: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="code">
      <div class="code-bar">
        <span>{label}</span>
        <button
          type="button"
          class="button-small"
          onClick={() =>
            void navigator.clipboard?.writeText(code).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre tabIndex={0} aria-label={label}>
        <code>{code}</code>
      </pre>
    </div>
  );
}

/** A key–value list editor (metadata, custom headers). */
export function KeyValueEditor({
  legend,
  rows,
  onChange,
  keyLabel,
  valueLabel,
  hint,
}: {
  legend: string;
  rows: Array<[string, string]>;
  onChange(rows: Array<[string, string]>): void;
  keyLabel: string;
  valueLabel: string;
  hint?: string;
}) {
  const id = legend.toLowerCase().replace(/\W+/g, '-');
  return (
    <fieldset class="kv">
      <legend>{legend}</legend>
      {hint && <p class="hint">{hint}</p>}
      {rows.map(([key, value], index) => (
        <div class="kv-row" key={index}>
          <label>
            <span class="visually-hidden">
              {keyLabel} {index + 1}
            </span>
            <input
              name={`${id}-key-${index}`}
              placeholder={keyLabel}
              value={key}
              onInput={(e) => onChange(rows.map((r, i) => (i === index ? [e.currentTarget.value, r[1]] : r)))}
            />
          </label>
          <label>
            <span class="visually-hidden">
              {valueLabel} {index + 1}
            </span>
            <input
              name={`${id}-value-${index}`}
              placeholder={valueLabel}
              value={value}
              onInput={(e) => onChange(rows.map((r, i) => (i === index ? [r[0], e.currentTarget.value] : r)))}
            />
          </label>
          <button
            type="button"
            class="button-small"
            aria-label={`Remove ${keyLabel.toLowerCase()} ${key || index + 1}`}
            onClick={() => onChange(rows.filter((_, i) => i !== index))}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" class="button-small" onClick={() => onChange([...rows, ['', '']])}>
        Add {keyLabel.toLowerCase()}
      </button>
    </fieldset>
  );
}

/** A button that asks first, in a modal dialog (Escape cancels, focus returns to the button). */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  danger,
  disabled,
  onConfirm,
}: {
  label: string;
  question: string;
  confirmLabel: string;
  danger?: boolean;
  disabled?: boolean;
  onConfirm(): void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  return (
    <>
      <button
        type="button"
        class={danger ? 'button-danger' : ''}
        disabled={disabled}
        onClick={() => dialog.current?.showModal()}
      >
        {label}
      </button>
      <dialog ref={dialog} aria-label={label}>
        <form
          method="dialog"
          onSubmit={(e) => {
            if ((e.submitter as HTMLButtonElement | null)?.value === 'yes') onConfirm();
          }}
        >
          <p>{question}</p>
          <div class="actions">
            <button value="no" autofocus>
              Cancel
            </button>
            <button value="yes" class={danger ? 'button-danger' : 'button-primary'}>
              {confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

export function Pager({
  hasPrevious,
  hasMore,
  onPrevious,
  onNext,
}: {
  hasPrevious: boolean;
  hasMore: boolean;
  onPrevious(): void;
  onNext(): void;
}) {
  if (!hasPrevious && !hasMore) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={!hasPrevious} onClick={onPrevious}>
        ← Newer
      </button>
      <button type="button" disabled={!hasMore} onClick={onNext}>
        Older →
      </button>
    </nav>
  );
}

/** Attempts per bucket as stacked bars (succeeded below, failed above), with p95 as a line. */
export function HealthChart({ stats }: { stats: EndpointStatsDto }) {
  const width = 720;
  const height = 180;
  const pad = { top: 12, right: 44, bottom: 22, left: 36 };
  const series = stats.series;
  const maxAttempts = Math.max(1, ...series.map((b) => b.attempts));
  const maxP95 = Math.max(1, ...series.map((b) => b.p95_ms ?? 0));
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const barW = plotW / Math.max(1, series.length);
  const y = (v: number) => pad.top + plotH - (v / maxAttempts) * plotH;
  const yMs = (v: number) => pad.top + plotH - (v / maxP95) * plotH;
  const label = (iso: string) => {
    const d = new Date(iso);
    return stats.window === '7d'
      ? d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
      : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  };
  const ticks = [0, Math.floor(series.length / 2), series.length - 1].filter((i) => series[i]);
  const line = series
    .map((b, i) => (b.p95_ms === null ? null : `${pad.left + i * barW + barW / 2},${yMs(b.p95_ms)}`))
    .filter(Boolean);
  const summary =
    `Attempts per ${stats.bucket_seconds / 60}-minute bucket over ${stats.window}: ` +
    `${stats.totals.attempts} attempts, ${stats.totals.failed} failed, peak ${maxAttempts} in one bucket.`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary}>
        <line class="axis" x1={pad.left} y1={pad.top + plotH} x2={width - pad.right} y2={pad.top + plotH} />
        <text class="tick" x={pad.left - 6} y={pad.top + 4} text-anchor="end">
          {maxAttempts}
        </text>
        <text class="tick" x={pad.left - 6} y={pad.top + plotH} text-anchor="end">
          0
        </text>
        <text class="tick tick-ms" x={width - pad.right + 6} y={pad.top + 4}>
          {maxP95} ms
        </text>
        {series.map((b, i) => {
          const x = pad.left + i * barW + 0.5;
          const w = Math.max(1, barW - 1);
          return (
            <g key={b.start}>
              <title>
                {`${label(b.start)}: ${b.attempts} attempts, ${b.failed} failed, p95 ${formatMs(b.p95_ms)}`}
              </title>
              {b.succeeded > 0 && (
                <rect class="bar-ok" x={x} y={y(b.succeeded)} width={w} height={y(0) - y(b.succeeded)} />
              )}
              {b.failed > 0 && (
                <rect class="bar-failed" x={x} y={y(b.attempts)} width={w} height={y(0) - y(b.failed)} />
              )}
            </g>
          );
        })}
        {line.length > 1 && <polyline class="p95-line" points={line.join(' ')} />}
        {ticks.map((i) => (
          <text
            key={i}
            class="tick"
            x={pad.left + i * barW + barW / 2}
            y={height - 6}
            text-anchor={i === 0 ? 'start' : i === series.length - 1 ? 'end' : 'middle'}
          >
            {label(series[i].start)}
          </text>
        ))}
      </svg>
      <figcaption>
        <span class="legend legend-ok">Succeeded</span>
        <span class="legend legend-failed">Failed</span>
        <span class="legend legend-p95">p95 response time</span>
      </figcaption>
    </figure>
  );
}

export function HealthNumbers({ stats }: { stats: EndpointStatsDto }) {
  const t = stats.totals;
  const reasons = Object.entries(t.failures_by_reason).filter(([, count]) => count > 0);
  return (
    <div class="health">
      <dl class="numbers">
        <div>
          <dt>Attempts</dt>
          <dd data-testid="stat-attempts">{t.attempts.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Success rate</dt>
          <dd data-testid="stat-success-rate">{formatRate(t.success_rate)}</dd>
        </div>
        <div>
          <dt>p50</dt>
          <dd data-testid="stat-p50">{formatMs(t.p50_ms)}</dd>
        </div>
        <div>
          <dt>p95</dt>
          <dd data-testid="stat-p95">{formatMs(t.p95_ms)}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd data-testid="stat-failed">{t.failed.toLocaleString()}</dd>
        </div>
      </dl>
      <table class="reasons">
        <caption>Failures by reason</caption>
        <thead>
          <tr>
            <th scope="col">Reason</th>
            <th scope="col" class="num">
              Failures
            </th>
          </tr>
        </thead>
        <tbody>
          {reasons.length === 0 ? (
            <tr>
              <td colSpan={2} class="muted">
                No failures in this window.
              </td>
            </tr>
          ) : (
            reasons.map(([reason, count]) => (
              <tr key={reason} data-testid={`reason-${reason}`}>
                <th scope="row">{REASON_LABELS[reason] ?? reason}</th>
                <td class="num">{count.toLocaleString()}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
