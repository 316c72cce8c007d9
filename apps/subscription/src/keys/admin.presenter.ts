import { type CreatedFormat, renderCreated } from '@hookline/events';
import type { ApiKeyDto, MintedApiKeyDto, TenantDto } from './admin.dto';
import type { ApiKeyView, MintedKey, TenantView } from './keys.service';

/** A tenant as the operator API shows it. */
export function presentTenant(tenant: TenantView, format: CreatedFormat): TenantDto {
  return {
    id: tenant.id,
    object: 'tenant',
    name: tenant.name,
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
