import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api } from './api';
import { Portal } from './context';
import { formatTime } from './format';
import { href, useRoute } from './router';
import { forgetSession, isExpired, loadSession, type Session } from './session';
import { toggleTheme, currentTheme } from './theme';
import { DeliveriesView } from './views/deliveries';
import { DeliveryDetailView } from './views/delivery-detail';
import { EndpointDetailView } from './views/endpoint-detail';
import { EndpointFormView } from './views/endpoint-form';
import { EndpointsView } from './views/endpoints';
import { EventsView } from './views/events';
import { VerifyView } from './views/verify';

const NAV = [
  ['endpoints', 'Endpoints'],
  ['deliveries', 'Delivery log'],
  ['events', 'Event log'],
  ['verify', 'Verify signatures'],
] as const;

function NoSession({ expired }: { expired: boolean }) {
  return (
    <main id="main" class="no-session">
      <h1>{expired ? 'Your session has ended' : 'No portal session'}</h1>
      <p>Open the portal again from the link your provider gives you; each link opens one session.</p>
    </main>
  );
}

export function App() {
  const [session] = useState<Session | null>(() => loadSession());
  const [ended, setEnded] = useState(() => (session ? isExpired(session) : false));
  const [message, setMessage] = useState('');
  const [theme, setTheme] = useState(currentTheme());
  const route = useRoute();
  const api = useMemo(() => (session ? new Api(session.token, () => setEnded(true)) : null), [session]);

  useEffect(() => {
    if (!session?.expiresAt) return undefined;
    const left = session.expiresAt.getTime() - Date.now();
    const timer = setTimeout(() => setEnded(true), Math.max(0, Math.min(left, 2_147_000_000)));
    return () => clearTimeout(timer);
  }, [session]);
  useEffect(() => {
    if (!message) return undefined;
    const timer = setTimeout(() => setMessage(''), 6000);
    return () => clearTimeout(timer);
  }, [message]);

  if (!session || !api || ended) return <NoSession expired={ended} />;
  const [section = 'endpoints', id, sub] = route.path;
  let view;
  if (section === 'endpoints' && id === 'new') view = <EndpointFormView />;
  else if (section === 'endpoints' && id && sub === 'edit')
    view = <EndpointFormView key={`edit-${id}`} id={id} />;
  else if (section === 'endpoints' && id) view = <EndpointDetailView key={id} id={id} />;
  else if (section === 'deliveries' && id) view = <DeliveryDetailView key={id} id={id} />;
  else if (section === 'deliveries') view = <DeliveriesView route={route} />;
  else if (section === 'events') view = <EventsView route={route} />;
  else if (section === 'verify') view = <VerifyView />;
  else view = <EndpointsView />;

  return (
    <Portal.Provider value={{ api, session, announce: setMessage }}>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          // The fragment routes the views: move focus without changing it.
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <div class="brand">
          <span class="logo" aria-hidden="true" />
          <span>Webhooks</span>
        </div>
        <nav aria-label="Sections">
          <ul>
            {NAV.map(([key, label]) => (
              <li key={key}>
                <a href={href(key)} aria-current={section === key ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="session">
          {session.readOnly && (
            <span class="badge badge-pending" data-testid="read-only">
              Read only
            </span>
          )}
          {session.expiresAt && (
            <span class="muted" data-testid="session-expiry">
              Session ends {formatTime(session.expiresAt.toISOString())}
            </span>
          )}
          <button
            type="button"
            class="button-small"
            aria-label={theme === 'dark' ? 'Use the light theme' : 'Use the dark theme'}
            onClick={() => setTheme(toggleTheme())}
          >
            {theme === 'dark' ? 'Light' : 'Dark'}
          </button>
          <button
            type="button"
            class="button-small"
            onClick={() => {
              forgetSession();
              setEnded(true);
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {view}
      </main>
      <div class={`toast${message ? ' toast-shown' : ''}`} role="status" aria-live="polite">
        {message}
      </div>
    </Portal.Provider>
  );
}
