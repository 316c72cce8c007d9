import { type CanActivate, type ExecutionContext, Injectable, NotFoundException } from '@nestjs/common';
import type { Request } from 'express';
import { ClientAddresses } from './client-addresses';
import { OperatorTokenAuthenticator } from './operator-token.authenticator';

/**
 * Admits operator requests carrying `Authorization: Bearer <SUBSCRIPTION_ADMIN_TOKEN>` or a live
 * operator key (`Bearer hlo_sk_…`). Without a
 * configured token the operator API does not exist: it answers 404 like any unknown route.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(
    private readonly operators: OperatorTokenAuthenticator,
    private readonly addresses: ClientAddresses,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const admission = await this.operators.authenticate(request.headers.authorization, {
      address: this.addresses.ofHttp(request),
    });
    if (admission === 'disabled') throw new NotFoundException(`Cannot ${request.method} ${request.path}`);
    return true;
  }
}
