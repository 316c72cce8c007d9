import { Injectable } from '@nestjs/common';
import { AuthFailureBrake, bearerToken, type CallerContext } from '@hookline/tenancy';
import { RateLimitedError, UnauthenticatedError } from '../errors/domain.errors';
import { KeysService, type TenantPrincipal } from '../keys/keys.service';
import { TenantsService } from '../tenants/tenants.service';
import { PortalTokenCodec } from './portal-token.codec';

/** Who a tenant call acts for: the key's tenant or the portal session's, and whether it may only read. */
export interface TenantCaller extends TenantPrincipal {
  /** `true` for a read-only portal session: only reads are allowed. */
  readonly readOnly: boolean;
  /** The portal session the call comes through; absent for an API key (whose id is `keyId`). */
  readonly portalSessionId?: string;
}

/**
 * Authenticates the callers of the tenant API, REST and gRPC alike: `Authorization: Bearer <API key>`
 * (looked up by `KeysService`) or `Bearer <portal session token>` (`hlp_…`, checked without the
 * database). A refused portal token counts against the caller's address on the same brake as a bad
 * API key, and from a braked address it is refused as braked (429). Checking a signature costs no
 * lookup and a valid one is no guess, so a valid session still works from a braked address, as a
 * key known to be valid does: an attacker sharing a customer's address cannot lock its portal out.
 */
@Injectable()
export class TenantCallerAuthenticator {
  constructor(
    private readonly keys: KeysService,
    private readonly codec: PortalTokenCodec,
    private readonly brake: AuthFailureBrake,
    private readonly tenants: TenantsService,
  ) {}

  /** The caller, or throws `UnauthenticatedError` / `RateLimitedError` as `KeysService.authenticate` does. */
  async authenticate(authorization: string | undefined, caller: CallerContext): Promise<TenantCaller> {
    const token = bearerToken(authorization);
    if (!token.ok || !PortalTokenCodec.isPortalToken(token.token)) {
      const principal = await this.keys.authenticate(authorization, caller);
      await this.tenants.requireActive(principal.tenantId);
      return { ...principal, readOnly: false };
    }
    const checked = this.codec.verify(token.token);
    if (!checked.ok) {
      const subject = { address: caller.address };
      const verdict = this.brake.check(subject);
      if (verdict.kind === 'braked') throw new RateLimitedError(verdict.retryAfterSeconds);
      this.brake.recordFailure(subject);
      throw new UnauthenticatedError(
        checked.reason === 'expired' ? 'The portal session has expired' : 'Invalid portal session token',
      );
    }
    const { sid, tenant, ro } = checked.claims;
    // A deleted tenant's sessions stop working (401), a disabled one's are refused (403).
    await this.tenants.requireActive(tenant);
    return { tenantId: tenant, keyId: sid, readOnly: ro, portalSessionId: sid };
  }
}

/** The answer to a read-only portal session attempting a change, naming what was refused. */
export function readOnlyRefusal(what: string): string {
  return `This portal session is read-only: ${what} is not allowed`;
}
