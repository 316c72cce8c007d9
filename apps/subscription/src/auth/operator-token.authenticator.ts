import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthFailureBrake, bearerToken, type CallerContext, operatorKeyPrefix } from '@hookline/tenancy';
import type { SubscriptionConfig } from '../config';
import { RateLimitedError, UnauthenticatedError } from '../errors/domain.errors';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';

/** Looks operator keys up (`OperatorKeysService`). */
export abstract class OperatorKeyVerifier {
  /** Whether `token` is a live operator key. */
  abstract verify(token: string): Promise<boolean>;
}

/** Whether `given` equals `expected`, in time that does not depend on where they differ. */
export function tokensMatch(given: string, expected: string): boolean {
  // Hashing first gives equal-length inputs, so not even the expected token's length leaks.
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** An operator call's outcome short of a refusal: admitted, or the operator API is switched off. */
export type OperatorAdmission = 'admitted' | 'disabled';

/**
 * Checks the credentials of operator calls, for REST and gRPC alike: the bootstrap admin token
 * (`SUBSCRIPTION_ADMIN_TOKEN`) or an operator key (`hlo_sk_…`). Failed attempts count against the
 * caller's address (and an operator key's prefix) on the brake every way in shares; a braked caller
 * is refused without the credentials being checked.
 */
@Injectable()
export class OperatorTokenAuthenticator {
  private readonly logger = new Logger('OperatorTokenAuthenticator');
  private warned = false;

  constructor(
    @Inject(SUBSCRIPTION_CONFIG) private readonly config: SubscriptionConfig,
    private readonly brake: AuthFailureBrake,
    private readonly keys: OperatorKeyVerifier,
  ) {}

  /**
   * `admitted` for the admin token or a live operator key, `disabled` when no admin token is
   * configured (the operator API then does not exist); otherwise throws `UnauthenticatedError` or
   * `RateLimitedError`.
   */
  async authenticate(authorization: string | undefined, caller: CallerContext): Promise<OperatorAdmission> {
    const expected = this.config.subscription.adminToken;
    if (expected === undefined) {
      if (!this.warned) {
        this.warned = true;
        this.logger.warn('operator API called but SUBSCRIPTION_ADMIN_TOKEN is not set; it answers as absent');
      }
      return 'disabled';
    }
    const token = bearerToken(authorization);
    const keyPrefix = token.ok ? operatorKeyPrefix(token.token) : undefined;
    const subject = { address: caller.address, keyPrefix };
    if (token.ok || token.reason !== 'missing') {
      const verdict = this.brake.check(subject);
      if (verdict.kind === 'braked') throw new RateLimitedError(verdict.retryAfterSeconds);
    }
    if (token.ok && tokensMatch(token.token, expected)) return 'admitted';
    if (token.ok && keyPrefix !== undefined && (await this.keys.verify(token.token))) {
      this.brake.recordSuccess(subject);
      return 'admitted';
    }
    if (token.ok || token.reason !== 'missing') this.brake.recordFailure(subject);
    throw new UnauthenticatedError('Missing or invalid operator token');
  }
}
