import { useMemo, useState } from 'preact/hooks';
import type { EventTypeDto, WebhookDto, WebhookWithSecretDto } from '../api';
import { CodeBlock, ErrorNotice, KeyValueEditor, Loading, PageTitle } from '../components';
import { useLoad, usePortal } from '../context';
import { prettyJson } from '../format';
import { href, navigate } from '../router';
import { SecretShown } from './secret';

type Rows = Array<[string, string]>;
const toRows = (map: Record<string, string> | undefined): Rows => Object.entries(map ?? {});
const toMap = (rows: Rows): Record<string, string> =>
  Object.fromEntries(rows.filter(([k]) => k.trim() !== '').map(([k, v]) => [k.trim(), v]));

/** Create (no `id`) or edit an endpoint. */
export function EndpointFormView({ id }: { id?: string }) {
  const { api } = usePortal();
  const catalogue = useLoad(() => api.eventTypes(), []);
  const existing = useLoad(() => (id ? api.getEndpoint(id) : Promise.resolve(undefined)), [id]);
  if (catalogue.error || existing.error)
    return <ErrorNotice error={catalogue.error ?? existing.error} what="Could not load the form" />;
  if (!catalogue.data || (id && !existing.data)) return <Loading />;
  return <EndpointForm catalogue={catalogue.data.data} existing={existing.data} />;
}

function EndpointForm({ catalogue, existing }: { catalogue: EventTypeDto[]; existing?: WebhookDto }) {
  const { api, announce } = usePortal();
  const [url, setUrl] = useState(existing?.url ?? '');
  const [events, setEvents] = useState<string[]>(existing?.events ?? []);
  const [description, setDescription] = useState(existing?.description ?? '');
  const [metadata, setMetadata] = useState<Rows>(toRows(existing?.metadata));
  const [headers, setHeaders] = useState<Rows>(toRows(existing?.headers));
  const [active, setActive] = useState(existing?.active ?? true);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<WebhookWithSecretDto>();

  const groups = useMemo(() => {
    const byGroup = new Map<string, EventTypeDto[]>();
    for (const t of catalogue) byGroup.set(t.group, [...(byGroup.get(t.group) ?? []), t]);
    return [...byGroup.entries()];
  }, [catalogue]);

  const toggle = (selector: string, on: boolean) =>
    setEvents(
      on ? [...events.filter((e) => e !== selector), selector] : events.filter((e) => e !== selector),
    );

  if (created) {
    return (
      <section>
        <PageTitle>Endpoint created</PageTitle>
        <p>
          <span class="url">{created.url}</span> receives {created.events.join(', ')}.
        </p>
        <SecretShown secret={created.secret} note="Store this signing secret now: it is shown only once." />
        <p>
          <a class="button button-primary" href={href('endpoints', created.id)}>
            Go to the endpoint
          </a>
        </p>
      </section>
    );
  }

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (existing) {
        const meta = toMap(metadata);
        const hdrs = toMap(headers);
        const clear: Array<'description' | 'metadata' | 'headers'> = [];
        if (!description.trim()) clear.push('description');
        if (Object.keys(meta).length === 0) clear.push('metadata');
        if (Object.keys(hdrs).length === 0) clear.push('headers');
        const updated = await api.updateEndpoint(existing.id, {
          url,
          events,
          description: description.trim() || null,
          metadata: Object.keys(meta).length ? meta : null,
          headers: Object.keys(hdrs).length ? hdrs : null,
          active,
          clear: clear.length ? clear : null,
        });
        announce('Endpoint saved.');
        navigate(href('endpoints', updated.id));
      } else {
        const meta = toMap(metadata);
        const hdrs = toMap(headers);
        const made = await api.createEndpoint({
          url,
          events,
          description: description.trim() || null,
          metadata: Object.keys(meta).length ? meta : null,
          headers: Object.keys(hdrs).length ? hdrs : null,
        });
        announce('Endpoint created.');
        setCreated(made);
      }
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <PageTitle>{existing ? 'Edit endpoint' : 'Add endpoint'}</PageTitle>
      <form class="form" onSubmit={submit} aria-describedby="form-error">
        <div id="form-error">
          <ErrorNotice error={error} what="Not saved" />
        </div>
        <label class="field">
          <span>Endpoint URL</span>
          <input
            type="url"
            name="url"
            required
            maxLength={2048}
            placeholder="https://example.com/webhooks"
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
        </label>
        <fieldset class="event-types">
          <legend>Events to send</legend>
          <p class="hint">Pick single types or whole groups. Open a type to see its schema and a sample.</p>
          <label class="check">
            <input
              type="checkbox"
              checked={events.includes('*')}
              onChange={(e) => toggle('*', e.currentTarget.checked)}
            />
            <span>
              <strong>Every event</strong> <code>*</code>
            </span>
          </label>
          {groups.map(([group, types]) => (
            <fieldset class="group" key={group}>
              <legend>{group}</legend>
              <label class="check">
                <input
                  type="checkbox"
                  checked={events.includes(`${group}.*`)}
                  onChange={(e) => toggle(`${group}.*`, e.currentTarget.checked)}
                />
                <span>
                  All <code>{group}.*</code> events
                </span>
              </label>
              {types.map((t) => (
                <div class="event-type" key={t.type}>
                  <label class="check">
                    <input
                      type="checkbox"
                      name="events"
                      value={t.type}
                      checked={events.includes(t.type)}
                      onChange={(e) => toggle(t.type, e.currentTarget.checked)}
                    />
                    <span>
                      <code>{t.type}</code> <span class="muted">{t.description}</span>
                    </span>
                  </label>
                  <details>
                    <summary>
                      Schema and sample <span class="visually-hidden">of {t.type}</span>
                    </summary>
                    <div class="two-col">
                      <CodeBlock label={`${t.type} schema`} code={prettyJson(t.schema)} />
                      <CodeBlock label={`${t.type} sample`} code={prettyJson(t.sample)} />
                    </div>
                  </details>
                </div>
              ))}
            </fieldset>
          ))}
        </fieldset>
        <label class="field">
          <span>Description</span>
          <input
            name="description"
            maxLength={500}
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        </label>
        <KeyValueEditor
          legend="Metadata"
          hint="Your own key–value pairs, kept with the endpoint."
          keyLabel="Key"
          valueLabel="Value"
          rows={metadata}
          onChange={setMetadata}
        />
        <KeyValueEditor
          legend="Custom headers"
          hint="Sent with every delivery. Credential-like values are shown as [redacted]; keep [redacted] to keep the stored value."
          keyLabel="Header"
          valueLabel="Header value"
          rows={headers}
          onChange={setHeaders}
        />
        {existing && (
          <label class="check">
            <input type="checkbox" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
            <span>Enabled (deliveries are sent)</span>
          </label>
        )}
        <div class="actions">
          <button type="submit" class="button-primary" disabled={busy || events.length === 0}>
            {existing ? 'Save changes' : 'Create endpoint'}
          </button>
          <a class="button" href={existing ? href('endpoints', existing.id) : href('endpoints')}>
            Cancel
          </a>
        </div>
        {events.length === 0 && <p class="hint">Pick at least one event type.</p>}
      </form>
    </section>
  );
}
