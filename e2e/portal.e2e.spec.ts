import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startReceiver, type TestReceiver } from '@hookline/testing';
import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { type Browser, launchBrowser } from './support/browser';
import {
  call,
  createMigratedDatabase,
  createTopics,
  loopbackPlatformEnv,
  ROOT,
  type ServiceProcess,
  startOwnBroker,
  startService,
} from './support/platform';

/**
 * The customer portal in a real browser (Debian's Chromium, headless) against the built services on
 * real Kafka and Postgres: a tenant's session manages an endpoint for a loopback receiver, sends test
 * events and follows them through the delivery log, redelivers and recovers failures, rotates the
 * secret and reads the endpoint's health; another tenant's session sees none of it.
 * `PORTAL_SCREENSHOTS=1` also writes screenshots of the main views to docs/portal/.
 */
const KAFKA_PORT = 31792;
const ADMIN = 'e2e-admin-token-portal-0123456789abcdef';
const SCREENSHOTS = process.env.PORTAL_SCREENSHOTS ? join(ROOT, 'docs', 'portal') : null;
const WAIT_MS = 30_000;

/** Retries `probe` (refreshing the view in between) until it returns something other than undefined/false. */
async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  refresh: () => Promise<unknown> = async () => undefined,
): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await refresh();
  }
}

async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Once the last status message has faded.
  await page.locator('.toast-shown').waitFor({ state: 'detached', timeout: 10_000 });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage, animations: 'disabled' });
}

describe('customer portal (browser → subscription API → dispatcher → receiver)', () => {
  let broker: Awaited<ReturnType<typeof startOwnBroker>>;
  let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
  let receiver: TestReceiver;
  let browser: Browser;
  let subscription: ServiceProcess;
  const services: ServiceProcess[] = [];
  const admin = { authorization: `Bearer ${ADMIN}` };
  /** What the receiver answers now, and what it answered so far. */
  let failing = false;
  const answered = { ok: 0, failed: 0 };
  // Tenant A's endpoint and one of its deliveries, for tenant B to try to read.
  let endpointId = '';
  let deliveryId = '';
  let tenantA = '';
  /** Content-Security-Policy violations the browser reported. */
  const violations: string[] = [];

  /** A portal session for a tenant, minted by the operator API; its link opens the portal. */
  async function openSession(tenantId: string, readOnly = false): Promise<{ token: string; url: string }> {
    const session = await call(
      'POST',
      `${subscription.url}/v1/admin/tenants/${tenantId}/portal-sessions`,
      { read_only: readOnly, ttl_seconds: 900 },
      admin,
    );
    expect(session.status).toBe(201);
    expect(session.body).toMatchObject({ tenant_id: tenantId, read_only: readOnly });
    expect(session.body.url).toBe(`${subscription.url}/portal/#session=${session.body.token}`);
    return { token: session.body.token, url: session.body.url };
  }

  async function createTenant(name: string): Promise<string> {
    const tenant = await call('POST', `${subscription.url}/v1/admin/tenants`, { name }, admin);
    expect(tenant.status).toBe(201);
    return tenant.body.id;
  }

  beforeAll(async () => {
    broker = await startOwnBroker(KAFKA_PORT);
    database = await createMigratedDatabase(`hookline_e2e_portal_${process.pid}`);
    receiver = await startReceiver(() => {
      if (failing) {
        answered.failed += 1;
        return { status: 422, body: 'rejected: unknown customer' };
      }
      answered.ok += 1;
      return { status: 200, body: 'thanks' };
    });
    const env = {
      ...loopbackPlatformEnv(broker.brokers, database.url, ADMIN),
      // Failures here are permanent (4xx); no retry falls due during the test.
      HOOKLINE_RETRY_SCHEDULE: '1h',
      DISPATCHER_BREAKER_MIN_REQUESTS: '1000',
    };
    createTopics(env);
    subscription = await startService('subscription', env);
    services.push(subscription);
    services.push(await startService('dispatcher', env));
    browser = await launchBrowser();
    browser.context.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(services.map((s) => s.stop().catch(() => undefined)));
    await receiver?.close();
    await database?.drop();
    await broker?.stop();
  });

  it('manages an endpoint, follows test events through the log, redelivers, recovers, rotates and reads health', async () => {
    tenantA = await createTenant('acme');
    const session = await openSession(tenantA);
    const page = await browser.context.newPage();
    const refresh = () => page.getByRole('button', { name: 'Refresh' }).first().click();
    await page.goto(session.url);

    // The token leaves the address bar at once.
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    expect(page.url()).not.toContain(session.token);
    expect(page.url()).toMatch(/#\/endpoints$/);
    // Keyboard first: the first Tab reaches the skip link, which leads to the view's content.
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    expect(await skip.evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(
      await page
        .getByRole('link', { name: 'Add endpoint' })
        .evaluate((e) => e === e.ownerDocument.activeElement),
    ).toBe(true);
    expect(page.url()).toMatch(/#\/endpoints$/);

    // Create an endpoint for the receiver, event types picked from the live catalogue.
    await page.getByRole('link', { name: 'Add endpoint' }).click();
    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByRole('checkbox', { name: /^user\.created\b/ }).check();
    await page.getByRole('checkbox', { name: /^payment\.succeeded\b/ }).check();
    await page.locator('summary', { hasText: 'of user.created' }).click();
    await page.getByLabel('user.created sample', { exact: true }).waitFor();
    await page.getByLabel('Description').fill('Main application webhook');
    await page.getByRole('button', { name: 'Add key' }).click();
    await page.getByLabel('Key 1', { exact: true }).fill('environment');
    await page.getByLabel('Value 1', { exact: true }).fill('production');
    await page.getByRole('button', { name: 'Add header' }).click();
    await page.getByLabel('Header 1', { exact: true }).fill('X-Portal-Test');
    await page.getByLabel('Header value 1', { exact: true }).fill('yes');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('heading', { name: 'Endpoint created' }).waitFor();
    await page.getByRole('button', { name: 'Show' }).click();
    const secret = (await page.getByTestId('secret-value').textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('link', { name: 'Go to the endpoint' }).click();
    await page.getByTestId('endpoint-status').getByText('Enabled').waitFor();
    endpointId = /#\/endpoints\/([^/?]+)/.exec(page.url())![1];
    // The dispatcher's view follows the changelog within moments.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    // A test event of a subscribed type arrives, signed with the secret, and shows as delivered.
    await page.getByLabel('Event type').selectOption('payment.succeeded');
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByTestId('test-queued').waitFor();
    const [first] = await receiver.waitFor(1, WAIT_MS);
    expect(first.headers['x-portal-test']).toBe('yes');
    expect(JSON.parse(first.body.toString())).toMatchObject({ type: 'payment.succeeded', livemode: false });
    expect(() =>
      new Webhook(secret).verify(first.body, first.headers as Record<string, string>),
    ).not.toThrow();
    await page.getByRole('link', { name: 'Open the delivery log' }).click();
    const firstRow = page.getByTestId('deliveries-table').locator('tbody tr').first();
    await until(
      'the test delivery to succeed',
      async () => (await firstRow.getAttribute('data-status')) === 'succeeded',
      refresh,
    );
    expect(await firstRow.getAttribute('data-event-type')).toBe('payment.succeeded');

    // The receiver fails: the log shows the failure and its reason; the attempt shows what was sent and answered.
    failing = true;
    await page.goto(`${subscription.url}/portal/#/endpoints/${endpointId}`);
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByTestId('test-queued').waitFor();
    await receiver.waitFor(2, WAIT_MS);
    await page.getByRole('link', { name: 'Open the delivery log' }).click();
    await until(
      'the failure in the log',
      async () => (await firstRow.getAttribute('data-status')) === 'failed',
      refresh,
    );
    expect(await firstRow.textContent()).toContain('HTTP 422');
    // The server filters by event type; the log of every endpoint names each one's endpoint.
    const typeFilter = page.getByRole('combobox', { name: /^Event type/ });
    await typeFilter.selectOption('payment.succeeded');
    await until('the newer failure (of another type) to leave the log', async () => {
      return (await firstRow.getAttribute('data-status')) === 'succeeded';
    });
    const rows = page.getByTestId('deliveries-table').locator('tbody tr');
    expect(
      new Set(await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-event-type')))),
    ).toEqual(new Set(['payment.succeeded']));
    // A group wildcard brings the other type's failure back.
    await typeFilter.selectOption('user.*');
    await until('the user.* failure in the log', async () => {
      return (await firstRow.getAttribute('data-event-type')) === 'user.created';
    });
    expect(
      new Set(await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-event-type')))),
    ).toEqual(new Set(['user.created']));
    await typeFilter.selectOption('');
    await page.getByRole('combobox', { name: /^Endpoint/ }).selectOption('');
    await page.getByRole('columnheader', { name: 'Endpoint' }).waitFor();
    await page.getByRole('combobox', { name: /^Status/ }).selectOption('failed');
    const failure = page
      .getByTestId('deliveries-table')
      .locator('tbody tr')
      .first()
      .getByRole('link', { name: /^Delivery / });
    await failure.waitFor();
    await screenshot(page, 'delivery-log');
    await failure.click();
    deliveryId = /#\/deliveries\/([^/?]+)/.exec(page.url())![1];
    const attempt1 = page.getByTestId('attempt-1');
    expect(await attempt1.getByTestId('attempt-code').textContent()).toBe('422');
    await attempt1.getByText('rejected: unknown customer').waitFor();
    await attempt1.getByText(/^x-portal-test$/i).waitFor();
    await attempt1
      .getByLabel('Request body: the stored event envelope')
      .getByText('"livemode": false')
      .waitFor();
    expect(await attempt1.getByTestId('request-body-note').textContent()).toContain('pending_webhooks');
    // The attempt's own answer: its headers and the stored excerpt of its body.
    await attempt1.getByRole('table', { name: 'Response headers' }).getByText('content-type').waitFor();
    expect(await page.getByTestId('delivery-last-error').textContent()).toContain('HTTP 422');
    await screenshot(page, 'attempt-detail');

    // It recovers; redelivering succeeds.
    failing = false;
    await page.getByRole('button', { name: 'Redeliver' }).click();
    expect(await page.getByTestId('redeliver-result').textContent()).toContain('Attempt 2 queued');
    await receiver.waitFor(3, WAIT_MS);
    await until(
      'the redelivery to succeed',
      async () => (await page.getByTestId('delivery-status').textContent()) === 'Succeeded',
      refresh,
    );
    expect(await page.getByTestId('attempt-2').getByTestId('attempt-code').textContent()).toBe('200');

    // Rotate the secret: the new one is shown, with the rotation window; deliveries carry both signatures.
    await page.goto(`${subscription.url}/portal/#/endpoints/${endpointId}`);
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate' }).click();
    await page.getByTestId('rotation-window').waitFor();
    await page.getByRole('button', { name: 'Show' }).click();
    const rotated = (await page.getByTestId('secret-value').textContent())!.trim();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByTestId('test-queued').waitFor();
    const afterRotation = (await receiver.waitFor(4, WAIT_MS))[3];
    const headers = afterRotation.headers as Record<string, string>;
    expect(() => new Webhook(rotated).verify(afterRotation.body, headers)).not.toThrow();
    expect(() => new Webhook(secret).verify(afterRotation.body, headers)).not.toThrow();
    // The current secret can be shown again later.
    await page.reload();
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    await page.getByRole('button', { name: 'Show' }).click();
    expect((await page.getByTestId('secret-value').textContent())!.trim()).toBe(rotated);

    // Failures since a time are recovered in one go.
    failing = true;
    const since = new Date(Date.now() - 60_000);
    for (let i = 0; i < 2; i++) {
      await page.getByRole('button', { name: 'Send test event' }).click();
      await receiver.waitFor(5 + i, WAIT_MS);
    }
    failing = false;
    // Both failures are recorded before recovering them.
    await until('both failures recorded', async () => {
      const log = await call(
        'GET',
        `${subscription.url}/v1/webhooks/${endpointId}/deliveries?status=failed`,
        undefined,
        {
          authorization: `Bearer ${session.token}`,
        },
      );
      return log.body.data?.length === 2;
    });
    await page.getByLabel('Failed since (your local time)').fill(toLocalInput(since));
    await page.getByRole('button', { name: 'Recover', exact: true }).click();
    expect(await page.getByTestId('recover-result').textContent()).toBe('2 failed deliveries queued again.');
    await receiver.waitFor(8, WAIT_MS);

    // Health over the last hour matches what the receiver counted.
    expect(answered).toEqual({ ok: 5, failed: 3 });
    await page.goto(`${subscription.url}/portal/#/endpoints/${endpointId}`);
    await page.reload();
    const stat = (id: string) => page.getByTestId(id).textContent();
    await until(
      'the health numbers to count every attempt',
      async () => (await stat('stat-attempts')) === String(answered.ok + answered.failed),
      () => page.getByRole('region', { name: 'Health' }).getByRole('button', { name: 'Refresh' }).click(),
    );
    expect(await stat('stat-failed')).toBe(String(answered.failed));
    expect(await stat('stat-success-rate')).toBe(
      `${((answered.ok / (answered.ok + answered.failed)) * 100).toFixed(1)} %`,
    );
    expect(await page.getByTestId('reason-http_4xx').locator('td').textContent()).toBe(
      String(answered.failed),
    );
    expect(await stat('stat-p50')).toMatch(/^\d[\d,]* ms$/);
    expect(await stat('stat-p95')).toMatch(/^\d[\d,]* ms$/);
    expect(await page.getByTestId('breaker-state').textContent()).toContain('Closed');
    await screenshot(page, 'endpoint-detail');

    // The event log lists the test events, each with its deliveries.
    await page.getByRole('link', { name: 'Event log' }).click();
    const events = page.getByTestId('event-row');
    await until('the test events in the event log', async () => (await events.count()) === 5, refresh);
    await events.first().locator('summary').click();
    await events.first().getByTestId('deliveries-table').locator('tbody tr').first().waitFor();

    // The endpoints list, the verification guide (with the deployment's header brand), phone width and dark mode.
    await page.getByRole('link', { name: 'Verify signatures' }).click();
    await page.getByTestId('signature-headers').getByText('X-Hookline-Signature', { exact: true }).waitFor();
    await screenshot(page, 'verify-signatures');
    await page.getByRole('link', { name: 'Endpoints' }).click();
    await page.getByRole('link', { name: receiver.url }).waitFor();
    await screenshot(page, 'endpoints');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${subscription.url}/portal/#/endpoints/${endpointId}`);
    await page.getByTestId('stat-attempts').waitFor();
    await screenshot(page, 'phone-endpoint-detail', false);
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByRole('button', { name: 'Use the dark theme' }).click();
    await page.goto(`${subscription.url}/portal/#/deliveries?endpoint=${endpointId}`);
    await page.getByTestId('deliveries-table').waitFor();
    await screenshot(page, 'dark-delivery-log');
    await page.getByRole('button', { name: 'Use the light theme' }).click();
    await page.close();
    // Everything ran under the service's policy (`default-src 'self'`): no inline script or style.
    expect(violations).toEqual([]);
  });

  it("keeps one tenant's session out of another tenant's endpoints and deliveries", async () => {
    expect(endpointId).not.toBe('');
    const other = await openSession(await createTenant('other'));
    const page = await browser.context.newPage();
    await page.goto(other.url);
    await page.getByText('No endpoints yet.').waitFor();
    await page.goto(`${subscription.url}/portal/#/endpoints/${endpointId}`);
    expect(await page.getByRole('alert').textContent()).toContain('No such');
    await page.goto(`${subscription.url}/portal/#/deliveries/${deliveryId}`);
    expect(await page.getByRole('alert').textContent()).toContain('No such');
    await page.close();

    const asOther = { authorization: `Bearer ${other.token}` };
    for (const path of [
      `/v1/webhooks/${endpointId}`,
      `/v1/webhooks/${endpointId}/deliveries`,
      `/v1/webhooks/${endpointId}/stats`,
      `/v1/deliveries/${deliveryId}`,
    ]) {
      expect({
        path,
        status: (await call('GET', `${subscription.url}${path}`, undefined, asOther)).status,
      }).toEqual({
        path,
        status: 404,
      });
    }
    const redeliver = await call(
      'POST',
      `${subscription.url}/v1/deliveries/${deliveryId}/redeliver`,
      undefined,
      asOther,
    );
    expect(redeliver.status).toBe(404);
    const list = await call('GET', `${subscription.url}/v1/webhooks`, undefined, asOther);
    expect(list.body.data).toEqual([]);
  });

  it('shows a read-only session without controls that change anything', async () => {
    const session = await openSession(tenantA, true);
    const page = await browser.context.newPage();
    await page.goto(session.url);
    await page.getByTestId('read-only').waitFor();
    await page.getByTestId('session-expiry').waitFor();
    await page.getByRole('link', { name: receiver.url }).click();
    await page.getByTestId('stat-attempts').waitFor();
    expect(await page.getByRole('button', { name: 'Rotate secret' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Reveal secret' }).count()).toBe(0);
    await page.getByTestId('secret-read-only').waitFor();
    expect(await page.getByRole('button', { name: 'Send test event' }).count()).toBe(0);
    const secret = await call('GET', `${subscription.url}/v1/webhooks/${endpointId}/secret`, undefined, {
      authorization: `Bearer ${session.token}`,
    });
    expect(secret.status).toBe(403);
    expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    const refused = await call(
      'POST',
      `${subscription.url}/v1/webhooks/${endpointId}/test`,
      {},
      {
        authorization: `Bearer ${session.token}`,
      },
    );
    expect(refused.status).toBe(403);
    await page.close();
  });

  it('edits, disables, enables and deletes an endpoint', async () => {
    const session = await openSession(tenantA);
    const other = await call(
      'POST',
      `${subscription.url}/v1/webhooks`,
      { url: `${receiver.url}/other`, events: ['user.*'], description: 'Staging' },
      { authorization: `Bearer ${session.token}` },
    );
    expect(other.status).toBe(201);
    const page = await browser.context.newPage();
    await page.goto(session.url);
    await page.getByRole('link', { name: `${receiver.url}/other` }).click();

    await page.getByRole('link', { name: 'Edit' }).click();
    expect(await page.getByRole('checkbox', { name: /^All user\.\* events/ }).isChecked()).toBe(true);
    await page.getByLabel('Description').fill('Staging copy');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Staging copy').waitFor();

    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page.getByTestId('endpoint-status').getByText('Disabled').waitFor();
    await page.getByTestId('disabled-reason').waitFor();
    await page.getByRole('button', { name: 'Enable', exact: true }).click();
    await page.getByTestId('endpoint-status').getByText('Enabled').waitFor();

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.keyboard.press('Escape'); // Escape cancels
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete endpoint' }).click();
    await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
    await page.getByRole('link', { name: receiver.url, exact: true }).waitFor();
    expect(await page.getByRole('link', { name: `${receiver.url}/other` }).count()).toBe(0);
    const gone = await call('GET', `${subscription.url}/v1/webhooks/${other.body.id}`, undefined, {
      authorization: `Bearer ${session.token}`,
    });
    expect(gone.status).toBe(404);
    await page.close();
  });
});

/** A datetime-local value for the browser, which runs in the same time zone as this process. */
function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
