import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import {
  readOnlyRefusal,
  type TenantCaller,
  TenantCallerAuthenticator,
} from '../portal/tenant-caller.authenticator';
import { ClientAddresses } from './client-addresses';

/** A request that passed `ApiKeyGuard`. */
interface AuthenticatedRequest extends Request {
  principal?: TenantCaller;
}

/** Methods a read-only portal session may use. */
const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

const REFUSED_TO_READ_ONLY = 'hookline:refused-to-read-only';

/**
 * Marks a read a read-only portal session may not make (403), such as revealing a signing secret,
 * with which one could sign requests.
 */
export const RefusedToReadOnly = (what: string): MethodDecorator => SetMetadata(REFUSED_TO_READ_ONLY, what);

/**
 * Admits requests carrying a valid, unrevoked tenant API key (`Authorization: Bearer <key>`), or a
 * valid, unexpired customer portal session token (`Bearer hlp_…`), which acts for its tenant. A
 * read-only portal session is refused (403) on any method but GET and HEAD, and on the reads marked
 * `RefusedToReadOnly`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly callers: TenantCallerAuthenticator,
    private readonly addresses: ClientAddresses,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.callers.authenticate(request.headers.authorization, {
      address: this.addresses.ofHttp(request),
    });
    if (principal.readOnly && !READ_METHODS.has(request.method)) {
      throw new ForbiddenException(readOnlyRefusal(request.method));
    }
    const refused = this.reflector.get<string | undefined>(REFUSED_TO_READ_ONLY, context.getHandler());
    if (principal.readOnly && refused) throw new ForbiddenException(readOnlyRefusal(refused));
    request.principal = principal;
    return true;
  }
}

/** The id of the tenant the request's API key belongs to; only on routes behind `ApiKeyGuard`. */
export const TenantId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('TenantId used on a route without ApiKeyGuard');
  return principal.tenantId;
});
