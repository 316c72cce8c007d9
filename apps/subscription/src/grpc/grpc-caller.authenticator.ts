import { type Metadata, status } from '@grpc/grpc-js';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { bearerToken } from '@hookline/tenancy';
import { tokensMatch } from '../auth/admin-token.guard';
import type { SubscriptionConfig } from '../config';
import { UnauthenticatedError } from '../errors/domain.errors';
import { KeysService } from '../keys/keys.service';
import { SUBSCRIPTION_CONFIG } from '../subscription.tokens';
import { GrpcStatusError } from './grpc-error.mapper';

/** Metadata key carrying the credentials, as the `Authorization` header does over HTTP. */
export const AUTHORIZATION_METADATA_KEY = 'authorization';

/**
 * Checks who a gRPC call comes from, with the same rules and messages as the REST guards: tenant
 * calls carry `authorization: Bearer <API key>`, operator calls the admin token.
 */
@Injectable()
export class GrpcCallerAuthenticator {
  private readonly logger = new Logger('GrpcCallerAuthenticator');
  private warned = false;

  constructor(
    private readonly keys: KeysService,
    @Inject(SUBSCRIPTION_CONFIG) private readonly config: SubscriptionConfig,
  ) {}

  /** The id of the tenant whose valid, unrevoked API key the call carries; else UNAUTHENTICATED. */
  async tenantId(metadata: Metadata): Promise<string> {
    return (await this.keys.authenticate(authorization(metadata))).tenantId;
  }

  /**
   * Admits a call carrying the admin token. Without a configured token the operator service does not
   * exist, so it answers UNIMPLEMENTED like any unknown method (REST answers 404).
   */
  requireOperator(metadata: Metadata): void {
    const expected = this.config.subscription.adminToken;
    if (expected === undefined) {
      if (!this.warned) {
        this.warned = true;
        this.logger.warn(
          'operator service called but SUBSCRIPTION_ADMIN_TOKEN is not set; answering UNIMPLEMENTED',
        );
      }
      throw new GrpcStatusError(status.UNIMPLEMENTED, 'The operator service is not enabled');
    }
    const token = bearerToken(authorization(metadata));
    if (!token.ok || !tokensMatch(token.token, expected)) {
      throw new UnauthenticatedError('Missing or invalid operator token');
    }
  }
}

// Binary metadata cannot hold a bearer token; several values are ambiguous and count as malformed.
function authorization(metadata: Metadata): string | undefined {
  const values = metadata.get(AUTHORIZATION_METADATA_KEY);
  if (values.length === 0) return undefined;
  return values.length === 1 && typeof values[0] === 'string' ? values[0] : 'malformed';
}
