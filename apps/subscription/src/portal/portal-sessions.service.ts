import { Inject, Injectable } from '@nestjs/common';
import { createUlidGenerator } from '@hookline/events';
import { TenantEntity } from '@hookline/persistence';
import { DataSource } from 'typeorm';
import type { SubscriptionConfig } from '../config';
import { checkKnownFields, readBody } from '../endpoints/endpoint-input.validator';
import { FieldErrors, NotFoundError } from '../errors/domain.errors';
import { SubscriptionMetrics } from '../metrics/subscription.metrics';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';
import { DEFAULT_SESSION_TTL_SECONDS, MIN_SESSION_TTL_SECONDS } from './portal.config';
import { PortalTokenCodec } from './portal-token.codec';

/** Prefix of portal session ids; a ULID follows. */
export const PORTAL_SESSION_ID_PREFIX = 'ps_';
/** Path of the portal's page, below the public base URL. */
export const PORTAL_PATH = '/portal/';

/** A freshly minted portal session: `token` (also inside `url`) is shown in this answer only. */
export interface PortalSessionView {
  readonly id: string;
  readonly tenantId: string;
  readonly readOnly: boolean;
  readonly url: string;
  readonly token: string;
  readonly expiresAt: Date;
}

const ulid = createUlidGenerator();

/**
 * Mints portal sessions: a signed, expiring token scoped to one tenant (read-only or not), and the
 * link that opens the portal with it. The token goes in the link's fragment, which browsers send to
 * no server and put in no `Referer`. Nothing is stored: the token carries everything a check needs.
 */
@Injectable()
export class PortalSessionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly codec: PortalTokenCodec,
    private readonly metrics: SubscriptionMetrics,
    @Inject(SUBSCRIPTION_CONFIG) private readonly config: SubscriptionConfig,
  ) {}

  /**
   * Mints a session for `tenantId` from `{ read_only?, ttl_seconds? }`. `origin` is where the
   * operator's request arrived (`scheme://host`), used for the link when PORTAL_PUBLIC_URL is unset;
   * without either the link is the path alone.
   */
  create(tenantId: string, input: unknown, origin: string | undefined): Promise<PortalSessionView> {
    return this.metrics.track('tenant', 'create_portal_session', async () => {
      const { readOnly, ttlSeconds } = this.parse(input);
      const exists = await this.dataSource.getRepository(TenantEntity).existsBy({ id: tenantId });
      if (!exists) throw new NotFoundError('tenant', tenantId);
      const id = PORTAL_SESSION_ID_PREFIX + ulid();
      const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
      const token = this.codec.mint({ sid: id, tenant: tenantId, ro: readOnly, exp });
      const base = this.config.portal.publicUrl ?? origin ?? '';
      return {
        id,
        tenantId,
        readOnly,
        url: `${base}${PORTAL_PATH}#session=${token}`,
        token,
        expiresAt: new Date(exp * 1000),
      };
    });
  }

  private parse(input: unknown): { readOnly: boolean; ttlSeconds: number } {
    const errors = new FieldErrors();
    const body = readBody(input, errors);
    checkKnownFields(body, new Set(['read_only', 'ttl_seconds']), errors);
    const max = this.config.portal.sessionMaxTtlSeconds;
    let readOnly = false;
    if (body.read_only !== undefined && body.read_only !== null) {
      if (typeof body.read_only === 'boolean') readOnly = body.read_only;
      else errors.add('read_only', 'must be a boolean');
    }
    let ttlSeconds = Math.min(DEFAULT_SESSION_TTL_SECONDS, max);
    if (body.ttl_seconds !== undefined && body.ttl_seconds !== null) {
      const ttl = body.ttl_seconds;
      if (typeof ttl === 'number' && Number.isInteger(ttl) && ttl >= MIN_SESSION_TTL_SECONDS && ttl <= max)
        ttlSeconds = ttl;
      else errors.add('ttl_seconds', `must be an integer from ${MIN_SESSION_TTL_SECONDS} to ${max}`);
    }
    errors.throwIfAny();
    return { readOnly, ttlSeconds };
  }
}
