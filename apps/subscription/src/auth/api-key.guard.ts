import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { KeysService, type TenantPrincipal } from '../keys/keys.service';
import { ClientAddresses } from './client-addresses';

/** A request that passed `ApiKeyGuard`. */
interface AuthenticatedRequest extends Request {
  principal?: TenantPrincipal;
}

/** Admits requests carrying a valid, unrevoked tenant API key (`Authorization: Bearer <key>`). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: KeysService,
    private readonly addresses: ClientAddresses,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.principal = await this.keys.authenticate(request.headers.authorization, {
      address: this.addresses.ofHttp(request),
    });
    return true;
  }
}

/** The id of the tenant the request's API key belongs to; only on routes behind `ApiKeyGuard`. */
export const TenantId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('TenantId used on a route without ApiKeyGuard');
  return principal.tenantId;
});
