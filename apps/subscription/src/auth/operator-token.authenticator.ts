import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthFailureBrake, bearerToken, type CallerContext } from '@hookline/tenancy';
import type { SubscriptionConfig } from '../config';
import { RateLimitedError, UnauthenticatedError } from '../errors/domain.errors';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';

/** Whether `given` equals `expected`, in time that does not depend on where they differ. */
export function tokensMatch(given: string, expected: string): boolean {
  // Hashing first gives equal-length inputs, so not even the expected token's length leaks.
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** An operator call's outcome short of a refusal: admitted, or the operator API is switched off. */
export type OperatorAdmission = 'admitted' | 'disabled';

/**
 * Checks the admin token of operator calls, for REST and gRPC alike. Failed attempts count against
 * the caller's address on the brake every way in shares; a braked address is refused without the
 * token being compared.
 */
@Injectable()
export class OperatorTokenAuthenticator {
  private readonly logger = new Logger('OperatorTokenAuthenticator');
  private warned = false;

  constructor(
    @Inject(SUBSCRIPTION_CONFIG) private readonly config: SubscriptionConfig,
    private readonly brake: AuthFailureBrake,
  ) {}

  /**
   * `admitted` for the admin token, `disabled` when no token is configured (the operator API then
   * does not exist); otherwise throws `UnauthenticatedError` or `RateLimitedError`.
   */
  authenticate(authorization: string | undefined, caller: CallerContext): OperatorAdmission {
    const expected = this.config.subscription.adminToken;
    if (expected === undefined) {
      if (!this.warned) {
        this.warned = true;
        this.logger.warn('operator API called but SUBSCRIPTION_ADMIN_TOKEN is not set; it answers as absent');
      }
      return 'disabled';
    }
    const token = bearerToken(authorization);
    const subject = { address: caller.address };
    if (token.ok || token.reason !== 'missing') {
      const verdict = this.brake.check(subject);
      if (verdict.kind === 'braked') throw new RateLimitedError(verdict.retryAfterSeconds);
    }
    if (token.ok && tokensMatch(token.token, expected)) return 'admitted';
    if (token.ok || token.reason !== 'missing') this.brake.recordFailure(subject);
    throw new UnauthenticatedError('Missing or invalid operator token');
  }
}
