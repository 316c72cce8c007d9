import { Inject, Injectable } from '@nestjs/common';
import { AddressPolicy } from '@hookline/egress';
import {
  EndpointEntity,
  type EndpointSecretValues,
  openEndpointHeaders,
  openEndpointSecrets,
  sealEndpointSecrets,
} from '@hookline/persistence';
import { SecretSealer } from '@hookline/sealing';
import { generateWebhookSecret } from '@hookline/signing';
import { DataSource, type EntityManager, LessThan } from 'typeorm';
import { EndpointChangeRunner, lockEndpoint } from '../changelog/endpoint-change.runner';
import type { SubscriptionConfig } from '../config';
import { FieldErrors, NotFoundError, ValidationError } from '../errors/domain.errors';
import { newResourceId } from '../ids/resource-id.generator';
import { type ListInput, type Page, readPaging } from '../listing/list-input';
import { SubscriptionMetrics } from '../metrics/subscription.metrics';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';
import {
  type EndpointInputRules,
  parseCreateEndpoint,
  parseRotateSecret,
  parseUpdateEndpoint,
  type UpdateEndpointCommand,
} from './endpoint-input.validator';
import {
  type EndpointView,
  type EndpointWithSecret,
  isRedactedHeader,
  type RevealedSecret,
  REDACTED_HEADER_VALUE,
  toEndpointView,
} from './endpoint.view';

/** Resource name used in not-found errors. */
const RESOURCE = 'webhook';

/** Reason recorded when a caller turns an endpoint off (the dispatcher records its own reasons). */
export const MANUAL_DISABLE_REASON = 'disabled by request';

/**
 * Endpoint use cases: register, list, read, change, delete and rotate secrets. Every change is
 * published to the subscription changelog before it commits (see `EndpointChangeRunner`). Signing
 * secrets and custom header values are sealed before they are stored (so the changelog, which
 * copies the row, carries them sealed too) and opened only to answer or to compare.
 */
@Injectable()
export class EndpointsService {
  private readonly rules: EndpointInputRules;

  constructor(
    private readonly dataSource: DataSource,
    private readonly changes: EndpointChangeRunner,
    private readonly metrics: SubscriptionMetrics,
    private readonly sealer: SecretSealer,
    @Inject(SUBSCRIPTION_CONFIG) private readonly config: SubscriptionConfig,
  ) {
    this.rules = {
      allowHttpUrls: config.subscription.allowHttpUrls,
      // In production an internal address written into the URL is refused at once; names, and
      // everything in development, are judged by the dispatcher when it connects.
      hostPolicy:
        config.posture === 'production' ? new AddressPolicy(config.subscription.allowedCidrs) : undefined,
      brandHeaderPrefix: config.preset.brand.headerPrefix,
    };
  }

  /** Registers an endpoint; the answer is the only time a generated secret is shown. */
  create(tenantId: string, input: unknown): Promise<EndpointWithSecret> {
    return this.metrics.track('endpoint', 'create', async () => {
      const command = parseCreateEndpoint(input, this.rules);
      const id = newResourceId('endpoint');
      const secret = command.secret ?? generateWebhookSecret();
      const headers = keepRedactedValues(command.headers, {});
      const sealed = sealEndpointSecrets(
        this.sealer,
        { tenantId, id },
        { secret, previousSecret: null, headers },
      );
      return this.changes.run(id, async (manager) => {
        const endpoint = manager.getRepository(EndpointEntity).create({
          id,
          tenantId,
          url: command.url,
          description: command.description,
          events: [...command.events],
          secret: sealed.secret,
          previousSecret: null,
          previousSecretExpiresAt: null,
          headers: { ...sealed.headers },
          metadata: { ...command.metadata },
          active: command.active,
          disabledReason: command.active ? null : MANUAL_DISABLE_REASON,
          disabledAt: command.active ? null : new Date(),
          version: 1,
        });
        await manager.getRepository(EndpointEntity).insert(endpoint);
        const stored = await reload(manager, id);
        return {
          result: { endpoint: toEndpointView(stored, headers, new Date()), secret },
          change: { kind: 'upserted', endpoint: stored },
        };
      });
    });
  }

  /** The tenant's endpoints, newest first, `limit` per page after `startingAfter`. */
  list(tenantId: string, input: ListInput): Promise<Page<EndpointView>> {
    return this.metrics.track('endpoint', 'list', async () => {
      const errors = new FieldErrors();
      const paging = readPaging(input, errors);
      errors.throwIfAny();
      const rows = await this.dataSource.getRepository(EndpointEntity).find({
        where: paging.startingAfter ? { tenantId, id: LessThan(paging.startingAfter) } : { tenantId },
        order: { id: 'DESC' },
        take: paging.limit + 1,
      });
      const now = new Date();
      return {
        items: rows.slice(0, paging.limit).map((row) => this.view(row, now)),
        hasMore: rows.length > paging.limit,
      };
    });
  }

  /** One endpoint of the tenant. */
  get(tenantId: string, id: string): Promise<EndpointView> {
    return this.metrics.track('endpoint', 'get', async () => {
      const row = await this.dataSource.getRepository(EndpointEntity).findOneBy({ id, tenantId });
      if (!row) throw new NotFoundError(RESOURCE, id);
      return this.view(row, new Date());
    });
  }

  /**
   * Changes the fields given and leaves the others as they are; a change that alters nothing is not
   * published. A header sent back with its redacted value keeps the stored value.
   */
  update(tenantId: string, id: string, input: unknown): Promise<EndpointView> {
    return this.metrics.track('endpoint', 'update', async () => {
      const command = parseUpdateEndpoint(input, this.rules);
      return this.changes.run(id, async (manager) => {
        const row = await lockEndpoint(manager, id, tenantId);
        if (!row) throw new NotFoundError(RESOURCE, id);
        const opened = openEndpointSecrets(this.sealer, row);
        const headers = applyUpdate(row, opened.headers, command, new Date());
        if (!headers)
          return { result: toEndpointView(row, opened.headers, new Date()), change: { kind: 'unchanged' } };
        this.sealInto(row, { ...opened, headers });
        row.version += 1;
        await manager.getRepository(EndpointEntity).save(row);
        const stored = await reload(manager, id);
        return {
          result: toEndpointView(stored, headers, new Date()),
          change: { kind: 'upserted', endpoint: stored },
        };
      });
    });
  }

  /** Deletes an endpoint; its delivery logs stay readable. */
  delete(tenantId: string, id: string): Promise<{ readonly id: string }> {
    return this.metrics.track('endpoint', 'delete', async () =>
      this.changes.run(id, async (manager) => {
        const row = await lockEndpoint(manager, id, tenantId);
        if (!row) throw new NotFoundError(RESOURCE, id);
        await manager.getRepository(EndpointEntity).delete({ id, tenantId });
        return { result: { id }, change: { kind: 'deleted' } };
      }),
    );
  }

  /**
   * Replaces the signing secret (with the one given, or a generated one). The old secret keeps signing
   * next to the new one for the rotation window, so receivers can switch without dropping deliveries.
   */
  rotateSecret(tenantId: string, id: string, input: unknown): Promise<EndpointWithSecret> {
    return this.metrics.track('endpoint', 'rotate_secret', async () => {
      const chosen = parseRotateSecret(input);
      const secret = chosen ?? generateWebhookSecret();
      return this.changes.run(id, async (manager) => {
        const row = await lockEndpoint(manager, id, tenantId);
        if (!row) throw new NotFoundError(RESOURCE, id);
        const opened = openEndpointSecrets(this.sealer, row);
        if (secret === opened.secret)
          throw new ValidationError([{ field: 'secret', message: 'must differ from the current secret' }]);
        const windowMs = this.config.subscription.secretRotationWindowMs;
        this.sealInto(row, {
          secret,
          previousSecret: windowMs > 0 ? opened.secret : null,
          headers: opened.headers,
        });
        row.previousSecretExpiresAt = windowMs > 0 ? new Date(Date.now() + windowMs) : null;
        row.version += 1;
        await manager.getRepository(EndpointEntity).save(row);
        const stored = await reload(manager, id);
        return {
          result: { endpoint: toEndpointView(stored, opened.headers, new Date()), secret },
          change: { kind: 'upserted', endpoint: stored },
        };
      });
    });
  }

  /**
   * The endpoint's signing secret, opened, and until when the secret it replaced still signs. Never
   * logged: the caller answers it and forgets it.
   */
  revealSecret(tenantId: string, id: string): Promise<RevealedSecret> {
    return this.metrics.track('endpoint', 'reveal_secret', async () => {
      const row = await this.dataSource.getRepository(EndpointEntity).findOneBy({ id, tenantId });
      if (!row) throw new NotFoundError(RESOURCE, id);
      const { secret } = openEndpointSecrets(this.sealer, row);
      return { secret, previousSecretExpiresAt: toEndpointView(row, {}, new Date()).previousSecretExpiresAt };
    });
  }

  /** Publishes every endpoint of every tenant to the changelog again; returns how many. */
  republishAll(): Promise<number> {
    return this.metrics.track('endpoint', 'republish_all', () => this.changes.republishAll());
  }

  private view(row: EndpointEntity, now: Date): EndpointView {
    return toEndpointView(row, openEndpointHeaders(this.sealer, row), now);
  }

  /**
   * Stores `values` sealed with the active key. Every value is sealed afresh on every change, so a
   * row written before sealing, or under an older key, is brought up to date by its next change.
   */
  private sealInto(row: EndpointEntity, values: EndpointSecretValues): void {
    const sealed = sealEndpointSecrets(this.sealer, row, values);
    row.secret = sealed.secret;
    row.previousSecret = sealed.previousSecret;
    row.headers = { ...sealed.headers };
  }
}

async function reload(manager: EntityManager, id: string): Promise<EndpointEntity> {
  return manager.getRepository(EndpointEntity).findOneByOrFail({ id });
}

/**
 * Applies `command` to `row`, whose custom headers are `headers` opened; returns the headers in
 * clear after the change, or `undefined` when nothing changed. Sealing happens after, so the
 * comparison is of clear values (two seals of one value never compare equal).
 */
function applyUpdate(
  row: EndpointEntity,
  headers: Readonly<Record<string, string>>,
  command: UpdateEndpointCommand,
  now: Date,
): Record<string, string> | undefined {
  const before = comparable(row, headers);
  const after = command.headers !== undefined ? keepRedactedValues(command.headers, headers) : { ...headers };
  if (command.url !== undefined) row.url = command.url;
  if (command.events !== undefined) row.events = [...command.events];
  if (command.description !== undefined) row.description = command.description;
  if (command.metadata !== undefined) row.metadata = { ...command.metadata };
  if (command.active !== undefined && command.active !== row.active) {
    row.active = command.active;
    row.disabledReason = command.active ? null : MANUAL_DISABLE_REASON;
    row.disabledAt = command.active ? null : now;
  }
  return comparable(row, after) !== before ? after : undefined;
}

function comparable(row: EndpointEntity, headers: Readonly<Record<string, string>>): string {
  return JSON.stringify([row.url, row.events, row.description, row.metadata, headers, row.active]);
}

/**
 * Headers as given, except that a credential-like header sent back with the redacted placeholder (as
 * GET shows it) keeps its stored value, so an endpoint fetched and sent back unchanged stays intact.
 */
function keepRedactedValues(
  given: Readonly<Record<string, string>>,
  stored: Readonly<Record<string, string>>,
): Record<string, string> {
  const storedByName = new Map(Object.entries(stored).map(([name, value]) => [name.toLowerCase(), value]));
  const errors = new FieldErrors();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (value === REDACTED_HEADER_VALUE && isRedactedHeader(name)) {
      const kept = storedByName.get(name.toLowerCase());
      if (kept === undefined)
        errors.add(`headers.${name}`, 'is the redaction placeholder; send the real value');
      else headers[name] = kept;
    } else {
      headers[name] = value;
    }
  }
  errors.throwIfAny();
  return headers;
}
