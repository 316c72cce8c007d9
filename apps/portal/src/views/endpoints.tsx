import { useState } from 'preact/hooks';
import { ActiveBadge, ErrorNotice, Loading, PageTitle, Pager } from '../components';
import { useLoad, usePortal } from '../context';
import { href } from '../router';

export function EndpointsView() {
  const { api, session } = usePortal();
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors[cursors.length - 1];
  const page = useLoad(() => api.listEndpoints(after), [after]);
  const items = page.data?.data ?? [];
  return (
    <section aria-labelledby="endpoints-title">
      <PageTitle
        actions={
          !session.readOnly && (
            <a class="button button-primary" href={href('endpoints', 'new')}>
              Add endpoint
            </a>
          )
        }
      >
        <span id="endpoints-title">Endpoints</span>
      </PageTitle>
      <p class="lead">The URLs this account's events are delivered to, each with its own signing secret.</p>
      <ErrorNotice error={page.error} what="Could not load endpoints" />
      {page.loading && !page.data && <Loading />}
      {page.data && items.length === 0 && (
        <div class="empty">
          <p>No endpoints yet.</p>
          {!session.readOnly && <a href={href('endpoints', 'new')}>Add your first endpoint</a>}
        </div>
      )}
      {items.length > 0 && (
        <table class="responsive" data-testid="endpoints-table">
          <caption class="visually-hidden">Endpoints</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">Status</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {items.map((endpoint) => (
              <tr key={endpoint.id}>
                <td data-label="URL">
                  <a class="url" href={href('endpoints', endpoint.id)}>
                    {endpoint.url}
                  </a>
                </td>
                <td data-label="Events">
                  <ul class="chips">
                    {endpoint.events.slice(0, 4).map((e) => (
                      <li key={e}>{e}</li>
                    ))}
                    {endpoint.events.length > 4 && <li>+{endpoint.events.length - 4}</li>}
                  </ul>
                </td>
                <td data-label="Status">
                  <ActiveBadge active={endpoint.active} />
                </td>
                <td data-label="Description">{endpoint.description ?? <span class="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager
        hasPrevious={cursors.length > 0}
        hasMore={page.data?.has_more ?? false}
        onPrevious={() => setCursors(cursors.slice(0, -1))}
        onNext={() => setCursors([...cursors, items[items.length - 1].id])}
      />
    </section>
  );
}
