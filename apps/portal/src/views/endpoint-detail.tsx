import { useEffect, useState } from 'preact/hooks';
import {
  type BreakerState,
  type EventTypeDto,
  type QueuedDeliveryDto,
  type StatsWindow,
  subscribedTypes,
  type WebhookDto,
} from '../api';
import {
  ActiveBadge,
  ConfirmButton,
  ErrorNotice,
  HealthChart,
  HealthNumbers,
  Loading,
  PageTitle,
} from '../components';
import { useLoad, usePortal } from '../context';
import { formatTime, localInputToIso, prettyJson, toLocalInput } from '../format';
import { href, navigate } from '../router';
import { DeliveriesTable } from './deliveries';
import { SecretShown } from './secret';

export function EndpointDetailView({ id }: { id: string }) {
  const { api } = usePortal();
  const endpoint = useLoad(() => api.getEndpoint(id), [id]);
  if (endpoint.error) return <ErrorNotice error={endpoint.error} what="Could not load the endpoint" />;
  if (!endpoint.data) return <Loading />;
  return <EndpointDetail endpoint={endpoint.data} reload={endpoint.reload} />;
}

function EndpointDetail({ endpoint, reload }: { endpoint: WebhookDto; reload(): void }) {
  const { api, session, announce } = usePortal();
  const [error, setError] = useState<Error>();
  const recent = useLoad(
    () => api.listDeliveries({ endpointId: endpoint.id, limit: 5 }),
    [endpoint.id, endpoint.version],
  );
  const act = async (what: string, action: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await action();
      announce(what);
    } catch (failure) {
      setError(failure as Error);
    }
  };
  return (
    <section>
      <PageTitle
        actions={
          !session.readOnly && (
            <>
              <a class="button" href={href('endpoints', endpoint.id, 'edit')}>
                Edit
              </a>
              <button
                type="button"
                onClick={() =>
                  void act(endpoint.active ? 'Endpoint disabled.' : 'Endpoint enabled.', async () => {
                    await api.updateEndpoint(endpoint.id, { active: !endpoint.active });
                    reload();
                  })
                }
              >
                {endpoint.active ? 'Disable' : 'Enable'}
              </button>
              <ConfirmButton
                label="Delete"
                danger
                question={`Delete the endpoint ${endpoint.url}? Deliveries to it stop at once.`}
                confirmLabel="Delete endpoint"
                onConfirm={() =>
                  void act('Endpoint deleted.', async () => {
                    await api.deleteEndpoint(endpoint.id);
                    navigate(href('endpoints'));
                  })
                }
              />
            </>
          )
        }
      >
        <span class="url">{endpoint.url}</span>
      </PageTitle>
      <ErrorNotice error={error} />
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd data-testid="endpoint-status">
            <ActiveBadge active={endpoint.active} />
          </dd>
        </div>
        <div>
          <dt>Id</dt>
          <dd>
            <code>{endpoint.id}</code>
          </dd>
        </div>
        <div>
          <dt>Events</dt>
          <dd>
            <ul class="chips">
              {endpoint.events.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          </dd>
        </div>
        {endpoint.description && (
          <div>
            <dt>Description</dt>
            <dd>{endpoint.description}</dd>
          </div>
        )}
        {Object.keys(endpoint.metadata).length > 0 && (
          <div>
            <dt>Metadata</dt>
            <dd>
              {Object.entries(endpoint.metadata).map(([k, v]) => (
                <div key={k}>
                  <code>{k}</code>: {v}
                </div>
              ))}
            </dd>
          </div>
        )}
        {Object.keys(endpoint.headers).length > 0 && (
          <div>
            <dt>Custom headers</dt>
            <dd>
              {Object.entries(endpoint.headers).map(([k, v]) => (
                <div key={k}>
                  <code>{k}</code>: {v}
                </div>
              ))}
            </dd>
          </div>
        )}
        <div>
          <dt>Created</dt>
          <dd>{formatTime(endpoint.created)}</dd>
        </div>
      </dl>
      {!endpoint.active && (
        <div class="notice notice-warn" data-testid="disabled-reason">
          <strong>Disabled.</strong>{' '}
          {endpoint.disabled_reason
            ? `Why: ${endpoint.disabled_reason}.`
            : 'Disabled by hand; enable it to resume deliveries.'}
          {endpoint.disabled_at ? ` Since ${formatTime(endpoint.disabled_at)}.` : ''}
        </div>
      )}
      <HealthSection endpoint={endpoint} />
      <SecretSection endpoint={endpoint} onRotated={reload} />
      {!session.readOnly && <TestEventSection endpoint={endpoint} onSent={recent.reload} />}
      {!session.readOnly && <RecoverSection endpoint={endpoint} onRecovered={recent.reload} />}
      <section class="card" aria-labelledby="recent-title">
        <div class="card-head">
          <h2 id="recent-title">Recent deliveries</h2>
          <div class="actions">
            <button type="button" class="button-small" onClick={recent.reload}>
              Refresh
            </button>
            <a class="button button-small" href={href('deliveries', { endpoint: endpoint.id })}>
              Open the delivery log
            </a>
          </div>
        </div>
        <ErrorNotice error={recent.error} />
        {recent.data && <DeliveriesTable deliveries={recent.data.data} />}
      </section>
    </section>
  );
}

const BREAKER_LABELS: Record<BreakerState['state'], string> = {
  closed: 'Closed',
  open: 'Open',
  half_open: 'Half-open',
};

/** The circuit breaker as the dispatchers report it: each keeps its own. */
function BreakerLine({ breaker }: { breaker: BreakerState }) {
  const shared =
    breaker.dispatchers > 1 && breaker.state !== 'closed'
      ? ` Open in ${breaker.dispatchers_open} of ${breaker.dispatchers} dispatchers.`
      : '';
  return (
    <p class="breaker" data-testid="breaker-state" data-state={breaker.state}>
      Circuit breaker:{' '}
      <span class={`badge ${breaker.state === 'closed' ? 'badge-succeeded' : 'badge-failed'}`}>
        {BREAKER_LABELS[breaker.state]}
      </span>{' '}
      <span class="muted">
        {breaker.state === 'closed'
          ? 'Deliveries go straight to the endpoint.'
          : breaker.state === 'open'
            ? 'Deliveries wait and are retried without calling the endpoint.'
            : 'One delivery is let through to see whether the endpoint recovered.'}
        {breaker.reason ? ` Why: ${breaker.reason}.` : ''}
        {breaker.since ? ` Since ${formatTime(breaker.since)}.` : ''}
        {shared}
      </span>
    </p>
  );
}

function HealthSection({ endpoint }: { endpoint: WebhookDto }) {
  const { api } = usePortal();
  const [window, setWindow] = useState<StatsWindow>('1h');
  const stats = useLoad(() => api.stats(endpoint.id, window), [endpoint.id, window]);
  return (
    <section class="card" aria-labelledby="health-title">
      <div class="card-head">
        <h2 id="health-title">Health</h2>
        <div class="segmented" role="radiogroup" aria-label="Window">
          {(['1h', '24h', '7d'] as const).map((w) => (
            <button
              type="button"
              role="radio"
              key={w}
              aria-checked={window === w}
              onClick={() => setWindow(w)}
            >
              {w === '1h' ? 'Last hour' : w === '24h' ? '24 hours' : '7 days'}
            </button>
          ))}
          <button type="button" class="button-small" onClick={stats.reload}>
            Refresh
          </button>
        </div>
      </div>
      {stats.data && <BreakerLine breaker={stats.data.breaker} />}
      <ErrorNotice error={stats.error} what="Could not load statistics" />
      {stats.loading && !stats.data && <Loading />}
      {stats.data && (
        <div aria-busy={stats.loading}>
          <HealthNumbers stats={stats.data} />
          <HealthChart stats={stats.data} />
        </div>
      )}
    </section>
  );
}

function SecretSection({ endpoint, onRotated }: { endpoint: WebhookDto; onRotated(): void }) {
  const { api, session, announce } = usePortal();
  const [secret, setSecret] = useState<string>();
  const [error, setError] = useState<Error>();
  const rotationEnds = endpoint.previous_secret_expires_at;
  const rotating = rotationEnds !== null && new Date(rotationEnds).getTime() > Date.now();
  return (
    <section class="card" aria-labelledby="secret-title">
      <h2 id="secret-title">Signing secret</h2>
      <p class="hint">
        Every delivery is signed with this secret. <a href={href('verify')}>How to verify signatures</a>
      </p>
      {rotating && (
        <p class="notice notice-info" data-testid="rotation-window">
          The previous secret still signs deliveries, next to the new one, until{' '}
          <strong>{formatTime(rotationEnds)}</strong>.
        </p>
      )}
      <ErrorNotice error={error} />
      {secret && <SecretShown secret={secret} />}
      {session.readOnly && (
        <p class="muted" data-testid="secret-read-only">
          A read-only session cannot reveal the secret: whoever holds it can sign requests.
        </p>
      )}
      <div class="actions">
        {!secret && !session.readOnly && (
          <button
            type="button"
            onClick={async () => {
              setError(undefined);
              try {
                setSecret((await api.revealSecret(endpoint.id)).secret);
              } catch (failure) {
                setError(failure as Error);
              }
            }}
          >
            Reveal secret
          </button>
        )}
        {!session.readOnly && (
          <ConfirmButton
            label="Rotate secret"
            question="Rotate the signing secret? The current one keeps signing next to the new one for the rotation window, so receivers can switch without losing deliveries."
            confirmLabel="Rotate"
            onConfirm={async () => {
              setError(undefined);
              try {
                const rotated = await api.rotateSecret(endpoint.id);
                setSecret(rotated.secret);
                announce('Secret rotated. The new secret is shown; store it.');
                onRotated();
              } catch (failure) {
                setError(failure as Error);
              }
            }}
          />
        )}
      </div>
    </section>
  );
}

function TestEventSection({ endpoint, onSent }: { endpoint: WebhookDto; onSent(): void }) {
  const { api, announce } = usePortal();
  const catalogue = useLoad(() => api.eventTypes(), []);
  const types: EventTypeDto[] = catalogue.data
    ? subscribedTypes(endpoint.events, catalogue.data.data).map((t) =>
        catalogue.data!.data.find((c) => c.type === t)!,
      )
    : [];
  const [type, setType] = useState('');
  const [data, setData] = useState('');
  const [error, setError] = useState<Error>();
  const [queued, setQueued] = useState<QueuedDeliveryDto>();
  useEffect(() => {
    if (!type && types.length > 0) {
      setType(types[0].type);
      setData(prettyJson(types[0].sample));
    }
  }, [types.length]);
  const send = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    let parsed: Record<string, unknown> | null;
    try {
      parsed = data.trim() ? (JSON.parse(data) as Record<string, unknown>) : null;
    } catch {
      setError(new Error('The data is not valid JSON.'));
      return;
    }
    try {
      const result = await api.sendTest(endpoint.id, type, parsed);
      setQueued(result);
      announce(`Test event ${result.event_type} queued.`);
      onSent();
    } catch (failure) {
      setError(failure as Error);
    }
  };
  return (
    <section class="card" aria-labelledby="test-title">
      <h2 id="test-title">Send a test event</h2>
      <ErrorNotice error={catalogue.error} />
      <form class="form" onSubmit={send}>
        <label class="field">
          <span>Event type</span>
          <select
            name="test-type"
            value={type}
            onChange={(e) => {
              const next = e.currentTarget.value;
              setType(next);
              const sample = types.find((t) => t.type === next)?.sample;
              setData(sample ? prettyJson(sample) : '');
            }}
          >
            {types.map((t) => (
              <option key={t.type} value={t.type}>
                {t.type}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Data (JSON, checked against the type's schema)</span>
          <textarea
            name="test-data"
            rows={6}
            spellcheck={false}
            value={data}
            onInput={(e) => setData(e.currentTarget.value)}
          />
        </label>
        <ErrorNotice error={error} what="Not sent" />
        <div class="actions">
          <button type="submit" class="button-primary" disabled={!type}>
            Send test event
          </button>
        </div>
        {queued && (
          <p class="notice notice-info" role="status" data-testid="test-queued">
            Test event <code>{queued.event_id}</code> queued as delivery{' '}
            <a href={href('deliveries', queued.id)}>{queued.id}</a>.
          </p>
        )}
      </form>
    </section>
  );
}

function RecoverSection({ endpoint, onRecovered }: { endpoint: WebhookDto; onRecovered(): void }) {
  const { api, announce } = usePortal();
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - 24 * 3600_000)));
  const [error, setError] = useState<Error>();
  const [count, setCount] = useState<number>();
  const recover = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    const iso = localInputToIso(since);
    if (!iso) {
      setError(new Error('Pick a valid date and time.'));
      return;
    }
    try {
      const result = await api.recover(endpoint.id, iso);
      setCount(result.count);
      announce(`${result.count} failed deliveries queued again.`);
      onRecovered();
    } catch (failure) {
      setError(failure as Error);
    }
  };
  return (
    <section class="card" aria-labelledby="recover-title">
      <h2 id="recover-title">Recover failed deliveries</h2>
      <p class="hint">Sends every failed delivery of this endpoint created since a time again.</p>
      <form class="form form-inline" onSubmit={recover}>
        <label class="field">
          <span>Failed since (your local time)</span>
          <input
            type="datetime-local"
            name="recover-since"
            required
            value={since}
            onInput={(e) => setSince(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Recover</button>
      </form>
      <ErrorNotice error={error} what="Not recovered" />
      {count !== undefined && (
        <p class="notice notice-info" role="status" data-testid="recover-result">
          {count === 1 ? '1 failed delivery queued again.' : `${count} failed deliveries queued again.`}
        </p>
      )}
    </section>
  );
}
