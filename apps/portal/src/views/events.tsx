import { useState } from 'preact/hooks';
import type { Api, DeliveryDto, EventDto } from '../api';
import { CodeBlock, ErrorNotice, Loading, PageTitle, Pager } from '../components';
import { useLoad, usePortal } from '../context';
import { formatTime, localInputToIso, prettyJson } from '../format';
import { href, navigate, type Route } from '../router';
import { DeliveriesTable } from './deliveries';

/** Every delivery of one event (one per endpoint it was owed to, and test deliveries), page after page. */
async function deliveriesOf(api: Api, event: EventDto): Promise<DeliveryDto[]> {
  const all: DeliveryDto[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await api.eventDeliveries(event.id, after);
    all.push(...page.data);
    if (!page.has_more || page.data.length === 0) return all;
    after = page.data[page.data.length - 1].id;
  }
}

function EventDeliveries({ event }: { event: EventDto }) {
  const { api } = usePortal();
  const deliveries = useLoad(() => deliveriesOf(api, event), [event.id]);
  if (deliveries.error) return <ErrorNotice error={deliveries.error} what="Could not load its deliveries" />;
  if (!deliveries.data) return <Loading what="Loading deliveries" />;
  return <DeliveriesTable deliveries={deliveries.data} />;
}

function EventRow({ event }: { event: EventDto }) {
  const [open, setOpen] = useState(false);
  return (
    <li class="event" data-testid="event-row">
      <details onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>
          <code>{event.type}</code>
          <span class="muted">{formatTime(event.created)}</span>
          <code class="id">{event.id}</code>
          {!event.livemode && <span class="badge badge-pending">Test</span>}
        </summary>
        {open && (
          <div class="event-body">
            <CodeBlock label="Event" code={prettyJson(event)} />
            <h3>Deliveries</h3>
            <EventDeliveries event={event} />
          </div>
        )}
      </details>
    </li>
  );
}

/** Events sent to this account, newest first, with their deliveries. */
export function EventsView({ route }: { route: Route }) {
  const { api } = usePortal();
  const catalogue = useLoad(() => api.eventTypes(), []);
  const type = route.query.get('type') ?? '';
  const from = route.query.get('from') ?? '';
  const to = route.query.get('to') ?? '';
  const [cursors, setCursors] = useState<string[]>([]);
  const key = `${type}|${from}|${to}`;
  const [lastKey, setLastKey] = useState(key);
  if (key !== lastKey) {
    setLastKey(key);
    setCursors([]);
  }
  const after = cursors[cursors.length - 1];
  const page = useLoad(
    () =>
      api.listEvents({
        type: type || undefined,
        gte: localInputToIso(from),
        lte: localInputToIso(to),
        startingAfter: after,
      }),
    [key, after],
  );
  const groups = [...new Set((catalogue.data?.data ?? []).map((t) => t.group))];
  const apply = (changes: Record<string, string>) => navigate(href('events', { type, from, to, ...changes }));
  const items = page.data?.data ?? [];
  return (
    <section>
      <PageTitle
        actions={
          <button type="button" onClick={page.reload}>
            Refresh
          </button>
        }
      >
        Event log
      </PageTitle>
      <form class="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <label class="field">
          <span>Event type</span>
          <select name="type" value={type} onChange={(e) => apply({ type: e.currentTarget.value })}>
            <option value="">Any</option>
            {groups.map((g) => (
              <option key={`${g}.*`} value={`${g}.*`}>
                {g}.*
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
      <ErrorNotice error={page.error} what="Could not load events" />
      {page.loading && !page.data && <Loading />}
      {page.data && items.length === 0 && <p class="muted">No events.</p>}
      <ul class="events">
        {items.map((event) => (
          <EventRow key={event.id} event={event} />
        ))}
      </ul>
      <Pager
        hasPrevious={cursors.length > 0}
        hasMore={page.data?.has_more ?? false}
        onPrevious={() => setCursors(cursors.slice(0, -1))}
        onNext={() => setCursors([...cursors, items[items.length - 1].id])}
      />
    </section>
  );
}
