/** Formatting shared by the views. */

export function formatTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(/^\d+$/.test(value) ? Number(value) * 1000 : value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function formatMs(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${value.toLocaleString()} ms`;
}

export function formatRate(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(value === 1 ? 0 : 1)} %`;
}

/** `2024-01-15T10:30` (a datetime-local value, local time) → ISO 8601 in UTC. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A Date → a datetime-local value in local time. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

export const STATUS_LABELS: Record<string, string> = {
  pending: 'Pending',
  succeeded: 'Succeeded',
  awaiting_retry: 'Awaiting retry',
  failed: 'Failed',
  skipped: 'Skipped',
};

export const REASON_LABELS: Record<string, string> = {
  http_4xx: 'HTTP 4xx',
  http_5xx: 'HTTP 5xx',
  timeout: 'Timeout',
  connection: 'Connection',
  tls: 'TLS',
  refused_address: 'Refused address',
  other: 'Other',
};
