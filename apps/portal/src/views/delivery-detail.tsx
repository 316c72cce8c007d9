import { useState } from 'preact/hooks';
import type { Attempt } from '../api';
import { CodeBlock, ErrorNotice, Loading, PageTitle, StatusBadge } from '../components';
import { useLoad, usePortal } from '../context';
import { formatMs, formatTime, prettyJson } from '../format';
import { href } from '../router';

export function DeliveryDetailView({ id }: { id: string }) {
  const { api, session, announce } = usePortal();
  const delivery = useLoad(() => api.getDelivery(id), [id]);
  const event = useLoad(
    () => (delivery.data ? api.getEvent(delivery.data.event_id) : Promise.resolve(undefined)),
    [delivery.data?.event_id],
  );
  const [error, setError] = useState<Error>();
  const [queued, setQueued] = useState<string>();
  if (delivery.error) return <ErrorNotice error={delivery.error} what="Could not load the delivery" />;
  if (!delivery.data) return <Loading />;
  const d = delivery.data;
  const attempts = [...d.attempts].sort((a, b) => b.attempt - a.attempt);
  return (
    <section>
      <PageTitle
        actions={
          <>
            <button type="button" onClick={delivery.reload}>
              Refresh
            </button>
            {!session.readOnly && (
              <button
                type="button"
                class="button-primary"
                onClick={async () => {
                  setError(undefined);
                  try {
                    const result = await api.redeliver(d.id);
                    setQueued(`Attempt ${result.attempt} queued.`);
                    announce(`Redelivery queued as attempt ${result.attempt}.`);
                    delivery.reload();
                  } catch (failure) {
                    setError(failure as Error);
                  }
                }}
              >
                Redeliver
              </button>
            )}
          </>
        }
      >
        Delivery <code class="id">{d.id}</code>
      </PageTitle>
      <ErrorNotice error={error} what="Not redelivered" />
      {queued && (
        <p class="notice notice-info" role="status" data-testid="redeliver-result">
          {queued}
        </p>
      )}
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd data-testid="delivery-status">
            <StatusBadge status={d.status} />
          </dd>
        </div>
        <div>
          <dt>Event</dt>
          <dd>
            <code>{d.event_type ?? '—'}</code> <code class="id">{d.event_id}</code>
          </dd>
        </div>
        <div>
          <dt>Endpoint</dt>
          <dd>
            <a href={href('endpoints', d.endpoint_id)}>
              <code>{d.endpoint_id}</code>
            </a>
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatTime(d.created)}</dd>
        </div>
        <div>
          <dt>Attempts</dt>
          <dd>{d.attempt_count}</dd>
        </div>
        {d.next_attempt_at && (
          <div>
            <dt>Next attempt</dt>
            <dd>{formatTime(d.next_attempt_at)}</dd>
          </div>
        )}
        {d.last_error && (
          <div>
            <dt>Last error</dt>
            <dd class="error-text" data-testid="delivery-last-error">
              {d.last_error}
            </dd>
          </div>
        )}
      </dl>
      <h2>Attempts</h2>
      {attempts.length === 0 && <p class="muted">No attempt made yet.</p>}
      {attempts.map((attempt, index) => (
        <AttemptCard
          key={`${attempt.attempt}-${attempt.started_at}`}
          attempt={attempt}
          latest={index === 0}
          body={event.data ? prettyJson(event.data) : undefined}
        />
      ))}
    </section>
  );
}

function AttemptCard({
  attempt,
  latest,
  body,
}: {
  attempt: Attempt;
  latest: boolean;
  body: string | undefined;
}) {
  const ok = attempt.status_code !== null && attempt.status_code >= 200 && attempt.status_code < 300;
  const responseBody = attempt.response_body;
  return (
    <article
      class="card attempt"
      data-testid={`attempt-${attempt.attempt}`}
      aria-label={`Attempt ${attempt.attempt}`}
    >
      <div class="card-head">
        <h3>Attempt {attempt.attempt}</h3>
        <span class={`badge ${ok ? 'badge-succeeded' : 'badge-failed'}`} data-testid="attempt-code">
          {attempt.status_code ?? 'No response'}
        </span>
      </div>
      <dl class="facts">
        <div>
          <dt>Started</dt>
          <dd>{formatTime(attempt.started_at)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatMs(attempt.duration_ms)}</dd>
        </div>
        {(attempt.error_class || attempt.error_message) && (
          <div>
            <dt>Error</dt>
            <dd class="error-text" data-testid="attempt-error">
              {attempt.error_class && <code>{attempt.error_class}</code>} {attempt.error_message}
            </dd>
          </div>
        )}
      </dl>
      <details open={latest}>
        <summary>Request</summary>
        <table class="headers">
          <caption>Request headers as sent</caption>
          <tbody>
            {Object.entries(attempt.request_headers).map(([name, value]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>
                  <code>{value}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {body !== undefined && (
          <>
            <CodeBlock label="Request body: the stored event envelope" code={body} />
            <p class="muted" data-testid="request-body-note">
              The body sent was this stored envelope as compact JSON, in the envelope&rsquo;s own field order
              (not kept here), with one more field set at send time: <code>pending_webhooks</code>, the number
              of the event&rsquo;s deliveries not yet succeeded then (on a first attempt, the number of
              endpoints it went to). That number is not stored, so it is not shown.
            </p>
          </>
        )}
      </details>
      <details open={latest}>
        <summary>Response</summary>
        {attempt.response_headers && Object.keys(attempt.response_headers).length > 0 && (
          <table class="headers">
            <caption>Response headers</caption>
            <tbody>
              {Object.entries(attempt.response_headers).map(([name, value]) => (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  <td>
                    <code>{value}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {responseBody ? (
          <CodeBlock label="Response body (excerpt)" code={responseBody} />
        ) : (
          <p class="muted">No response body kept for this attempt.</p>
        )}
      </details>
    </article>
  );
}
