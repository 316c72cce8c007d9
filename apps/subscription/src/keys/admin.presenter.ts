import { type CreatedFormat, renderCreated } from '@hookline/events';
import type { ApiKeyDto, MintedApiKeyDto, TenantDto } from './admin.dto';
import type { ApiKeyView, MintedKey, TenantView } from './keys.service';
import type { OperatorKeyView } from './operator-keys.service';
import type { OperatorKeyDto } from '../tenants/tenants.dto';

/** A tenant as the operator API shows it. */
export function presentTenant(tenant: TenantView, format: CreatedFormat): TenantDto {
  return {
    id: tenant.id,
    object: 'tenant',
    name: tenant.name,
    uid: tenant.uid,
    metadata: { ...tenant.metadata },
    disabled_at: tenant.disabledAt?.toISOString() ?? null,
    disabled_reason: tenant.disabledReason,
    created: renderCreated(tenant.createdAt, format),
  };
}

/** An API key without the key itself. */
export function presentApiKey(key: ApiKeyView, format: CreatedFormat): ApiKeyDto {
  return {
    id: key.id,
    object: 'api_key',
    tenant_id: key.tenantId,
    name: key.name,
    prefix: key.prefix,
    created: renderCreated(key.createdAt, format),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}

/** A freshly minted key, the only answer that shows the key. */
export function presentMintedKey(minted: MintedKey, format: CreatedFormat): MintedApiKeyDto {
  return { ...presentApiKey(minted.apiKey, format), key: minted.key };
}

/** An operator key without the key itself. */
export function presentOperatorKey(key: OperatorKeyView, format: CreatedFormat): OperatorKeyDto {
  return {
    id: key.id,
    object: 'operator_key',
    name: key.name,
    prefix: key.prefix,
    created: renderCreated(key.createdAt, format),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}
