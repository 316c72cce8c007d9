import { useState } from 'preact/hooks';
import { DELIVERY_STATUSES, type DeliveryDto } from '../api';
import { ErrorNotice, Loading, PageTitle, Pager, StatusBadge } from '../components';
import { useLoad, usePortal } from '../context';
import { formatMs, formatTime, localInputToIso, STATUS_LABELS } from '../format';
import { href, navigate, type Route } from '../router';

/** Deliveries, newest first; with `endpoints` (id → URL), a column naming each one's endpoint. */
export function DeliveriesTable({
  deliveries,
  endpoints,
}: {
  deliveries: DeliveryDto[];
  endpoints?: ReadonlyMap<string, string>;
}) {
  if (deliveries.length === 0) return <p class="muted">No deliveries.</p>;
  return (
    <table class="responsive" data-testid="deliveries-table">
      <caption class="visually-hidden">Deliveries</caption>
      <thead>
        <tr>
          <th scope="col">Created</th>
          {endpoints && <th scope="col">Endpoint</th>}
          <th scope="col">Event type</th>
          <th scope="col">Status</th>
          <th scope="col" class="num">
            Response
          </th>
          <th scope="col" class="num">
            Time
          </th>
          <th scope="col" class="num">
            Attempts
          </th>
          <th scope="col">Last error</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((d) => (
          <tr key={d.id} data-status={d.status} data-event-type={d.event_type ?? ''}>
            <td data-label="Created">
              <a href={href('deliveries', d.id)} aria-label={`Delivery ${d.id}, ${formatTime(d.created)}`}>
                {formatTime(d.created)}
              </a>
            </td>
            {endpoints && (
              <td data-label="Endpoint">
                <a href={href('endpoints', d.endpoint_id)}>{endpoints.get(d.endpoint_id) ?? d.endpoint_id}</a>
              </td>
            )}
            <td data-label="Event type">
              <code>{d.event_type ?? '—'}</code>
            </td>
            <td data-label="Status">
              <StatusBadge status={d.status} />
            </td>
            <td data-label="Response" class="num">
              {d.response_code ?? '—'}
            </td>
            <td data-label="Time" class="num">
              {formatMs(d.response_time_ms)}
            </td>
            <td data-label="Attempts" class="num">
              {d.attempt_count}
            </td>
            <td data-label="Last error" class="error-text">
              {d.last_error ?? ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The delivery log of every endpoint or one, filtered by status, event type and created range, paged. */
export function DeliveriesView({ route }: { route: Route }) {
  const { api } = usePortal();
  const q = route.query;
  const endpoints = useLoad(() => api.allEndpoints(), []);
  const catalogue = useLoad(() => api.eventTypes(), []);
  const endpointId = q.get('endpoint') ?? '';
  const status = q.get('status') ?? '';
  const type = q.get('type') ?? '';
  const from = q.get('from') ?? '';
  const to = q.get('to') ?? '';
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors[cursors.length - 1];
  const key = `${endpointId}|${status}|${type}|${from}|${to}`;
  const [lastKey, setLastKey] = useState(key);
  if (key !== lastKey) {
    setLastKey(key);
    setCursors([]);
  }
  const page = useLoad(
    () =>
      api.listDeliveries({
        endpointId: endpointId || undefined,
        status: status || undefined,
        type: type || undefined,
        gte: localInputToIso(from),
        lte: localInputToIso(to),
        startingAfter: after,
      }),
    [key, after],
  );
  const urls = new Map((endpoints.data ?? []).map((ep) => [ep.id, ep.url]));
  const apply = (changes: Record<string, string>) => {
    const next: Record<string, string | undefined> = {
      endpoint: endpointId,
      status,
      type,
      from,
      to,
      ...changes,
    };
    navigate(href('deliveries', next));
  };
  return (
    <section>
      <PageTitle
        actions={
          <button type="button" onClick={page.reload}>
            Refresh
          </button>
        }
      >
        Delivery log
      </PageTitle>
      <ErrorNotice error={endpoints.error} />
      <form class="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <label class="field">
          <span>Endpoint</span>
          <select
            name="endpoint"
            value={endpointId}
            onChange={(e) => apply({ endpoint: e.currentTarget.value })}
          >
            <option value="">All endpoints</option>
            {(endpoints.data ?? []).map((ep) => (
              <option key={ep.id} value={ep.id}>
                {ep.url}
                {ep.description ? ` — ${ep.description}` : ''}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Status</span>
          <select name="status" value={status} onChange={(e) => apply({ status: e.currentTarget.value })}>
            <option value="">Any</option>
            {DELIVERY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Event type</span>
          <select name="type" value={type} onChange={(e) => apply({ type: e.currentTarget.value })}>
            <option value="">Any</option>
            {[...new Set((catalogue.data?.data ?? []).map((t) => t.group))].map((group) => (
              <option key={`${group}.*`} value={`${group}.*`}>
                {`${group}.* (every ${group} event)`}
              </option>
            ))}
            {(catalogue.data?.data ?? []).map((t) => (
              <option key={t.type} value={t.type}>
                {t.type}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Created from</span>
          <input
            type="datetime-local"
            name="from"
            value={from}
            onChange={(e) => apply({ from: e.currentTarget.value })}
          />
        </label>
        <label class="field">
          <span>Created to</span>
          <input
            type="datetime-local"
            name="to"
            value={to}
            onChange={(e) => apply({ to: e.currentTarget.value })}
          />
        </label>
      </form>
      {endpoints.data && endpoints.data.length === 0 && (
        <p class="muted">No endpoints, so no deliveries yet.</p>
      )}
      <ErrorNotice error={page.error} what="Could not load deliveries" />
      {page.loading && !page.data && <Loading />}
      {page.data && <DeliveriesTable deliveries={page.data.data} endpoints={endpointId ? undefined : urls} />}
      <Pager
        hasPrevious={cursors.length > 0}
        hasMore={page.data?.has_more ?? false}
        onPrevious={() => setCursors(cursors.slice(0, -1))}
        onNext={() => {
          const last = page.data?.data[page.data.data.length - 1];
          if (last) setCursors([...cursors, last.id]);
        }}
      />
    </section>
  );
}
