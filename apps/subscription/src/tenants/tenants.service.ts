import { Inject, Injectable } from '@nestjs/common';
import { EndpointEntity, TenantEntity } from '@hookline/persistence';
import { ApiKeyAuthenticator } from '@hookline/tenancy';
import { DataSource, type FindOptionsWhere, IsNull, LessThan, Not } from 'typeorm';
import type { SubscriptionConfig } from '../config';
import { EndpointsService } from '../endpoints/endpoints.service';
import { checkKnownFields, readBody, readMetadata } from '../endpoints/endpoint-input.validator';
import {
  FieldErrors,
  NotFoundError,
  TenantDisabledError,
  UnauthenticatedError,
} from '../errors/domain.errors';
import { ID_PREFIXES } from '../ids/resource-id.generator';
import { type ListInput, type Page, readPaging } from '../listing/list-input';
import { SubscriptionMetrics } from '../metrics/subscription.metrics';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';

/** Longest tenant name. */
export const MAX_TENANT_NAME_LENGTH = 200;
/** Longest `uid`. */
export const MAX_TENANT_UID_LENGTH = 128;
/** Grammar of a `uid` (the database checks it too); one starting with `ten_` is refused. */
export const TENANT_UID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** Longest reason given for disabling a tenant. */
export const MAX_DISABLED_REASON_LENGTH = 500;

/** A tenant as operators see it. */
export interface TenantView {
  readonly id: string;
  readonly uid: string | null;
  readonly name: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly disabledAt: Date | null;
  readonly disabledReason: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The fields of a tenant an operator sets, validated. */
interface TenantFields {
  name?: string;
  uid?: string | null;
  metadata?: Record<string, string>;
}

type TenantState = { readonly kind: 'active' | 'disabled' | 'missing'; readonly expiresAt: number };

/**
 * Tenant use cases: create, list, read, update, disable, enable, delete; and the one resolver of a
 * tenant reference (`ten_…` id or the platform's `uid`) every operator route uses.
 */
@Injectable()
export class TenantsService {
  // Tenant id → whether it may act, remembered as long as API keys are (SUBSCRIPTION_API_KEY_CACHE_TTL).
  private readonly states = new Map<string, TenantState>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly endpoints: EndpointsService,
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly metrics: SubscriptionMetrics,
    @Inject(SUBSCRIPTION_CONFIG) private readonly config: SubscriptionConfig,
  ) {}

  /** The id of the tenant `ref` names, by id (`ten_…`) or by `uid`; NotFoundError when none. */
  async resolve(ref: string): Promise<string> {
    return (await this.find(ref)).id;
  }

  /** Creates a tenant from `{ name, uid?, metadata? }`. */
  create(input: unknown, newId: () => string): Promise<TenantView> {
    return this.metrics.track('tenant', 'create', async () => {
      const fields = parseTenantFields(input, true);
      const repository = this.dataSource.getRepository(TenantEntity);
      await this.requireFreeUid(fields.uid, undefined);
      const id = newId();
      await repository.insert(
        repository.create({
          id,
          name: fields.name,
          uid: fields.uid ?? null,
          metadata: fields.metadata ?? {},
        }),
      );
      return toTenantView(await repository.findOneByOrFail({ id }));
    });
  }

  /** Tenants, newest first, `limit` per page after `startingAfter`; only disabled (or enabled) ones if asked. */
  list(input: ListInput & { readonly disabled?: unknown }): Promise<Page<TenantView>> {
    return this.metrics.track('tenant', 'list', async () => {
      const errors = new FieldErrors();
      const paging = readPaging(input, errors);
      let disabled: boolean | undefined;
      if (input.disabled !== undefined && input.disabled !== null) {
        if (input.disabled === true || input.disabled === 'true') disabled = true;
        else if (input.disabled === false || input.disabled === 'false') disabled = false;
        else errors.add('disabled', 'must be true or false');
      }
      errors.throwIfAny();
      const where: FindOptionsWhere<TenantEntity> = {};
      if (paging.startingAfter) where.id = LessThan(paging.startingAfter);
      if (disabled !== undefined) where.disabledAt = disabled ? Not(IsNull()) : IsNull();
      const rows = await this.dataSource
        .getRepository(TenantEntity)
        .find({ where, order: { id: 'DESC' }, take: paging.limit + 1 });
      return { items: rows.slice(0, paging.limit).map(toTenantView), hasMore: rows.length > paging.limit };
    });
  }

  /** One tenant, by id or uid. */
  get(ref: string): Promise<TenantView> {
    return this.metrics.track('tenant', 'get', async () => toTenantView(await this.find(ref)));
  }

  /** Changes `name`, `uid` and `metadata` (each when given; `uid: null` removes it, metadata is replaced whole). */
  update(ref: string, input: unknown): Promise<TenantView> {
    return this.metrics.track('tenant', 'update', async () => {
      const fields = parseTenantFields(input, false);
      const tenant = await this.find(ref);
      await this.requireFreeUid(fields.uid, tenant.id);
      const changes: Partial<TenantEntity> = {};
      if (fields.name !== undefined) changes.name = fields.name;
      if (fields.uid !== undefined) changes.uid = fields.uid;
      if (fields.metadata !== undefined) changes.metadata = fields.metadata;
      const repository = this.dataSource.getRepository(TenantEntity);
      if (Object.keys(changes).length > 0) await repository.update({ id: tenant.id }, changes);
      return toTenantView(await repository.findOneByOrFail({ id: tenant.id }));
    });
  }

  /**
   * Disables a tenant: its API keys and portal sessions are refused (403 `tenant_disabled`); its
   * endpoints, keys and records stay as they are. Disabling a disabled tenant keeps its first date
   * and takes the new reason.
   */
  disable(ref: string, input: unknown): Promise<TenantView> {
    return this.metrics.track('tenant', 'disable', async () => {
      const errors = new FieldErrors();
      const body = input === undefined || input === null ? {} : readBody(input, errors);
      checkKnownFields(body, new Set(['reason']), errors);
      let reason: string | null = null;
      if (body.reason !== undefined && body.reason !== null) {
        if (typeof body.reason !== 'string' || body.reason.length > MAX_DISABLED_REASON_LENGTH)
          errors.add('reason', `must be a string of at most ${MAX_DISABLED_REASON_LENGTH} characters`);
        else reason = body.reason.trim() === '' ? null : body.reason.trim();
      }
      errors.throwIfAny();
      const tenant = await this.find(ref);
      await this.dataSource.query(
        `UPDATE tenants SET disabled_at = COALESCE(disabled_at, now()), disabled_reason = $2, updated_at = now()
          WHERE id = $1`,
        [tenant.id, reason],
      );
      this.states.delete(tenant.id);
      return this.get(tenant.id);
    });
  }

  /** Enables a disabled tenant again; enabling an enabled one changes nothing. */
  enable(ref: string): Promise<TenantView> {
    return this.metrics.track('tenant', 'enable', async () => {
      const tenant = await this.find(ref);
      await this.dataSource.query(
        `UPDATE tenants SET disabled_at = NULL, disabled_reason = NULL, updated_at = now()
          WHERE id = $1 AND disabled_at IS NOT NULL`,
        [tenant.id],
      );
      this.states.delete(tenant.id);
      return this.get(tenant.id);
    });
  }

  /**
   * Deletes a tenant: each of its endpoints as `EndpointsService.delete` does (a changelog tombstone
   * each, before it commits), then the tenant row, its API keys with it; its portal sessions stop
   * working, as their tenant is gone. Its events, deliveries and attempts are left to retention.
   */
  delete(ref: string): Promise<{ readonly id: string; readonly endpointsDeleted: number }> {
    return this.metrics.track('tenant', 'delete', async () => {
      const tenant = await this.find(ref);
      let endpointsDeleted = 0;
      // An endpoint created while this runs is found by the next round, until none is left.
      for (;;) {
        const rows = await this.dataSource
          .getRepository(EndpointEntity)
          .find({ where: { tenantId: tenant.id }, select: { id: true }, order: { id: 'ASC' }, take: 100 });
        for (const row of rows) {
          try {
            await this.endpoints.delete(tenant.id, row.id);
            endpointsDeleted += 1;
          } catch (error) {
            if (!(error instanceof NotFoundError)) throw error;
          }
        }
        if (rows.length > 0) continue;
        const deleted: Array<{ id: string }> = await this.dataSource.query(
          `WITH deleted AS (
             DELETE FROM tenants WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM endpoints WHERE tenant_id = $1)
             RETURNING id)
           SELECT id FROM deleted`,
          [tenant.id],
        );
        if (deleted.length === 1) break;
      }
      this.states.delete(tenant.id);
      this.apiKeys.invalidate();
      return { id: tenant.id, endpointsDeleted };
    });
  }

  /**
   * Refuses a caller whose tenant is gone (UnauthenticatedError) or disabled (TenantDisabledError).
   * Remembered as long as API keys are; this instance forgets it at once on its own changes.
   */
  async requireActive(tenantId: string): Promise<void> {
    const now = Date.now();
    let state = this.states.get(tenantId);
    if (state === undefined || state.expiresAt <= now) {
      const rows: Array<{ disabled: boolean }> = await this.dataSource.query(
        'SELECT disabled_at IS NOT NULL AS disabled FROM tenants WHERE id = $1',
        [tenantId],
      );
      const kind = rows.length === 0 ? 'missing' : rows[0].disabled ? 'disabled' : 'active';
      state = { kind, expiresAt: now + this.config.subscription.apiKeyCacheTtlMs };
      this.states.delete(tenantId);
      if (this.states.size >= 10_000) {
        const oldest = this.states.keys().next().value;
        if (oldest !== undefined) this.states.delete(oldest);
      }
      this.states.set(tenantId, state);
    }
    if (state.kind === 'missing') throw new UnauthenticatedError('The tenant no longer exists');
    if (state.kind === 'disabled') throw new TenantDisabledError(tenantId);
  }

  private async find(ref: string): Promise<TenantEntity> {
    const repository = this.dataSource.getRepository(TenantEntity);
    const tenant = ref.startsWith(ID_PREFIXES.tenant)
      ? await repository.findOneBy({ id: ref })
      : ref.length <= MAX_TENANT_UID_LENGTH
        ? await repository.findOneBy({ uid: ref })
        : null;
    if (!tenant) throw new NotFoundError('tenant', ref);
    return tenant;
  }

  private async requireFreeUid(uid: string | null | undefined, owner: string | undefined): Promise<void> {
    if (uid === undefined || uid === null) return;
    const taken = await this.dataSource.getRepository(TenantEntity).findOneBy({ uid });
    if (taken && taken.id !== owner) {
      const errors = new FieldErrors();
      errors.add('uid', 'is already the uid of another tenant');
      errors.throwIfAny();
    }
  }
}

/** Reads `{ name, uid, metadata }`; `name` is required on creation. */
export function parseTenantFields(input: unknown, creating: boolean): TenantFields & { name: string } {
  const errors = new FieldErrors();
  const body = readBody(input, errors);
  checkKnownFields(body, new Set(['name', 'uid', 'metadata']), errors);
  const fields: TenantFields = {};
  if (body.name !== undefined && body.name !== null) {
    if (typeof body.name !== 'string' || body.name.trim() === '' || body.name.length > MAX_TENANT_NAME_LENGTH)
      errors.add('name', `must be a non-empty string of at most ${MAX_TENANT_NAME_LENGTH} characters`);
    else fields.name = body.name.trim();
  } else if (creating) errors.add('name', 'is required');
  if (body.uid === null) fields.uid = creating ? undefined : null;
  else if (body.uid !== undefined) {
    if (typeof body.uid !== 'string' || !TENANT_UID_PATTERN.test(body.uid))
      errors.add(
        'uid',
        `must be 1 to ${MAX_TENANT_UID_LENGTH} characters: letters, digits, '.', '_', ':', '-', starting with a letter or digit`,
      );
    else if (body.uid.startsWith(ID_PREFIXES.tenant))
      errors.add('uid', `must not start with "${ID_PREFIXES.tenant}", which tenant ids start with`);
    else fields.uid = body.uid;
  }
  if (body.metadata !== undefined && body.metadata !== null)
    fields.metadata = readMetadata(body.metadata, errors);
  errors.throwIfAny();
  return fields as TenantFields & { name: string };
}

function toTenantView(tenant: TenantEntity): TenantView {
  return {
    id: tenant.id,
    uid: tenant.uid,
    name: tenant.name,
    metadata: tenant.metadata ?? {},
    disabledAt: tenant.disabledAt,
    disabledReason: tenant.disabledReason,
    createdAt: tenant.createdAt,
    updatedAt: tenant.updatedAt,
  };
}
