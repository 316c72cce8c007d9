import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { bearerToken } from '@hookline/tenancy';
import type { SubscriptionConfig } from '../config';
import { UnauthenticatedError } from '../errors/domain.errors';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';

/** Whether `given` equals `expected`, in time that does not depend on where they differ. */
export function tokensMatch(given: string, expected: string): boolean {
  // Hashing first gives equal-length inputs, so not even the expected token's length leaks.
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Admits operator requests carrying `Authorization: Bearer <SUBSCRIPTION_ADMIN_TOKEN>`. Without a
 * configured token the operator API does not exist: it answers 404 like any unknown route.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly logger = new Logger('AdminTokenGuard');
  private warned = false;

  constructor(@Inject(SUBSCRIPTION_CONFIG) private readonly config: SubscriptionConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const expected = this.config.subscription.adminToken;
    if (expected === undefined) {
      if (!this.warned) {
        this.warned = true;
        this.logger.warn('operator API called but SUBSCRIPTION_ADMIN_TOKEN is not set; answering 404');
      }
      throw new NotFoundException(`Cannot ${request.method} ${request.path}`);
    }
    const token = bearerToken(request.headers.authorization);
    if (!token.ok || !tokensMatch(token.token, expected)) {
      throw new UnauthenticatedError('Missing or invalid operator token');
    }
    return true;
  }
}
