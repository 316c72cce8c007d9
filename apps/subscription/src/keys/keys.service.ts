import { Injectable } from '@nestjs/common';
import { ApiKeyEntity, TenantEntity } from '@hookline/persistence';
import { ApiKeyAuthenticator, type CallerContext, mintApiKey } from '@hookline/tenancy';
import { DataSource } from 'typeorm';
import { checkKnownFields, readBody } from '../endpoints/endpoint-input.validator';
import { FieldErrors, NotFoundError, RateLimitedError, UnauthenticatedError } from '../errors/domain.errors';
import { newResourceId } from '../ids/resource-id.generator';
import { SubscriptionMetrics } from '../metrics/subscription.metrics';
import { TenantsService, type TenantView } from '../tenants/tenants.service';

export { MAX_TENANT_NAME_LENGTH } from '../tenants/tenants.service';
export type { TenantView } from '../tenants/tenants.service';
/** Longest API key name. */
export const MAX_KEY_NAME_LENGTH = 100;
/** Name of a key minted without one. */
export const DEFAULT_KEY_NAME = 'default';

/** An API key as listings show it: never the key itself, only its first characters. */
export interface ApiKeyView {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** A freshly minted key: `key` is shown this once and is not stored. */
export interface MintedKey {
  readonly apiKey: ApiKeyView;
  readonly key: string;
}

/** How long a tenant's records are kept. */
export interface TenantRetentionView {
  readonly tenantId: string;
  /** Days kept when fewer than the platform's retention; null for the platform's. */
  readonly retentionDays: number | null;
}

/** Longest retention a tenant may ask for, in days. */
export const MAX_RETENTION_DAYS = 3650;

/** Who an authenticated request acts for. */
export interface TenantPrincipal {
  readonly tenantId: string;
  readonly keyId: string;
}

/** Tenant and API key use cases: create tenants, mint, list and revoke keys, authenticate requests. */
@Injectable()
export class KeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly metrics: SubscriptionMetrics,
    private readonly tenants: TenantsService,
  ) {}

  /** Creates a tenant from `{ name, uid?, metadata? }`. */
  createTenant(input: unknown): Promise<TenantView> {
    return this.tenants.create(input, () => newResourceId('tenant'));
  }

  /**
   * Sets how many days a tenant's events, deliveries and attempts are kept (null: the platform's
   * retention). Only a shorter retention has an effect: the platform drops whole days after its own.
   */
  setRetention(tenantId: string, input: unknown): Promise<TenantRetentionView> {
    return this.metrics.track('tenant', 'set_retention', async () => {
      const errors = new FieldErrors();
      const body = readBody(input, errors);
      checkKnownFields(body, new Set(['retention_days']), errors);
      const days = body.retention_days;
      if (days === undefined) errors.add('retention_days', 'is required (null for the platform retention)');
      else if (
        days !== null &&
        !(Number.isInteger(days) && (days as number) >= 1 && (days as number) <= MAX_RETENTION_DAYS)
      ) {
        errors.add('retention_days', `must be null or an integer from 1 to ${MAX_RETENTION_DAYS}`);
      }
      errors.throwIfAny();
      const updated: Array<{ id: string }> = await this.dataSource.query(
        // A SELECT around the UPDATE: TypeORM answers a bare UPDATE with [rows, count], not rows.
        `WITH updated AS (UPDATE tenants SET retention_days = $2::integer, updated_at = now(),
           retention_pruned_before = CASE WHEN retention_days IS DISTINCT FROM $2::integer THEN NULL
                                          ELSE retention_pruned_before END
         WHERE id = $1 RETURNING id)
         SELECT id FROM updated`,
        [tenantId, days],
      );
      if (updated.length === 0) throw new NotFoundError('tenant', tenantId);
      return { tenantId, retentionDays: days as number | null };
    });
  }

  /** Mints a key for a tenant; only its hash and first characters are stored. */
  mintKey(tenantId: string, input: unknown): Promise<MintedKey> {
    return this.metrics.track('api_key', 'create', async () => {
      const errors = new FieldErrors();
      const body = readBody(input, errors);
      checkKnownFields(body, new Set(['name']), errors);
      const name = readName(body.name, 'name', MAX_KEY_NAME_LENGTH, errors, DEFAULT_KEY_NAME);
      errors.throwIfAny();
      await this.requireTenant(tenantId);
      const minted = mintApiKey();
      const repository = this.dataSource.getRepository(ApiKeyEntity);
      const id = newResourceId('apiKey');
      await repository.insert(
        repository.create({ id, tenantId, name, prefix: minted.prefix, hash: minted.hash }),
      );
      return { apiKey: toApiKeyView(await repository.findOneByOrFail({ id })), key: minted.key };
    });
  }

  /** Every key of a tenant, revoked ones included, oldest first. */
  listKeys(tenantId: string): Promise<ApiKeyView[]> {
    return this.metrics.track('api_key', 'list', async () => {
      await this.requireTenant(tenantId);
      const keys = await this.dataSource
        .getRepository(ApiKeyEntity)
        .find({ where: { tenantId }, order: { id: 'ASC' } });
      return keys.map(toApiKeyView);
    });
  }

  /** Revokes a key; revoking it again changes nothing. */
  revokeKey(tenantId: string, keyId: string): Promise<ApiKeyView> {
    return this.metrics.track('api_key', 'revoke', async () => {
      await this.requireTenant(tenantId);
      await this.dataSource.query(
        'UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND tenant_id = $2 AND revoked_at IS NULL',
        [keyId, tenantId],
      );
      const key = await this.dataSource.getRepository(ApiKeyEntity).findOneBy({ id: keyId, tenantId });
      if (!key) throw new NotFoundError('api key', keyId);
      // Other instances forget the key when their cache entry expires (SUBSCRIPTION_API_KEY_CACHE_TTL).
      this.authenticator.invalidate();
      return toApiKeyView(key);
    });
  }

  /**
   * Resolves an `Authorization` header to the tenant it acts for; throws `UnauthenticatedError`, or
   * `RateLimitedError` when the caller's address or key prefix failed too often lately.
   */
  async authenticate(authorization: string | undefined, caller: CallerContext): Promise<TenantPrincipal> {
    const result = await this.authenticator.authenticate(authorization, caller);
    if (result.ok) return { tenantId: result.tenantId, keyId: result.keyId };
    switch (result.reason) {
      case 'missing':
        throw new UnauthenticatedError('Missing API key: send it as "Authorization: Bearer <key>"');
      case 'malformed':
        throw new UnauthenticatedError('Malformed Authorization header: expected "Bearer <key>"');
      case 'invalid':
        throw new UnauthenticatedError('Invalid or revoked API key');
      case 'braked':
        throw new RateLimitedError(result.retryAfterSeconds);
    }
  }

  private async requireTenant(tenantId: string): Promise<void> {
    const exists = await this.dataSource.getRepository(TenantEntity).existsBy({ id: tenantId });
    if (!exists) throw new NotFoundError('tenant', tenantId);
  }
}

function toApiKeyView(key: ApiKeyEntity): ApiKeyView {
  return {
    id: key.id,
    tenantId: key.tenantId,
    name: key.name,
    prefix: key.prefix,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
  };
}

function readName(
  value: unknown,
  field: string,
  maxLength: number,
  errors: FieldErrors,
  fallback: string | undefined,
): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '' || value.length > maxLength) {
    errors.add(
      field,
      value === undefined ? 'is required' : `must be a non-empty string of at most ${maxLength} characters`,
    );
    return '';
  }
  return value.trim();
}
