import { CodeBlock, PageTitle } from '../components';
import { useLoad, usePortal } from '../context';
import { go, node, python } from '../verify-snippets';

/** The branded header prefix (`X-Hookline`), read from the headers of a real delivery when there is one. */
function useHeaderPrefix(): string {
  const { api } = usePortal();
  const found = useLoad(async () => {
    const recent = await api.listDeliveries({ limit: 5 });
    for (const delivery of recent.data) {
      if (delivery.attempt_count === 0) continue;
      const detail = await api.getDelivery(delivery.id);
      for (const attempt of detail.attempts) {
        const name = Object.keys(attempt.request_headers).find(
          (h) => /-signature$/i.test(h) && h.toLowerCase() !== 'webhook-signature',
        );
        if (name) return name.replace(/-signature$/i, '');
      }
    }
    return null;
  }, []);
  return found.data ?? 'X-Hookline';
}

export function VerifyView() {
  const prefix = useHeaderPrefix();
  return (
    <section>
      <PageTitle>Verify signatures</PageTitle>
      <p class="lead">
        Every delivery is signed over the exact bytes of its body, two ways at once. Check either; verify the
        raw body before parsing it, and answer 2xx quickly.
      </p>
      <table class="headers" data-testid="signature-headers">
        <caption>Headers of every delivery</caption>
        <thead>
          <tr>
            <th scope="col">Header</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">
              <code>webhook-id</code>
            </th>
            <td>The event id; the same on every retry. Deduplicate on it.</td>
          </tr>
          <tr>
            <th scope="row">
              <code>webhook-timestamp</code>
            </th>
            <td>Unix seconds when the attempt was signed. Refuse ones older than a few minutes.</td>
          </tr>
          <tr>
            <th scope="row">
              <code>webhook-signature</code>
            </th>
            <td>
              <code>v1,&lt;base64 HMAC-SHA256 of "id.timestamp.body"&gt;</code>, space-separated when there
              are several. A <code>whsec_</code> secret is keyed by its base64-decoded bytes, any other by its
              UTF-8 bytes.
            </td>
          </tr>
          <tr>
            <th scope="row">
              <code>{prefix}-Signature</code>
            </th>
            <td>
              <code>sha256=&lt;hex HMAC-SHA256 of the body&gt;</code>, keyed with the secret's text as UTF-8.
            </td>
          </tr>
          <tr>
            <th scope="row">
              <code>{prefix}-Signature-Previous</code>
            </th>
            <td>While a secret rotates: the same, with the previous secret.</td>
          </tr>
          <tr>
            <th scope="row">
              <code>{prefix}-Event-Type</code>, <code>{prefix}-Event-Id</code>, <code>{prefix}-Delivery</code>
            </th>
            <td>The event's type and id, and the delivery's id (as in the delivery log).</td>
          </tr>
        </tbody>
      </table>
      <p>
        While a secret rotates, <code>webhook-signature</code> carries a signature for each secret, so a
        receiver that still holds the previous one keeps verifying until the rotation window ends.
      </p>
      <h2>Node.js</h2>
      <CodeBlock label="Node.js receiver" code={node(prefix)} />
      <h2>Python</h2>
      <CodeBlock label="Python receiver" code={python(prefix)} />
      <h2>Go</h2>
      <CodeBlock label="Go receiver" code={go(prefix)} />
    </section>
  );
}
