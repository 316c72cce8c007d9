import { Injectable, type PipeTransform } from '@nestjs/common';
import { TenantsService } from './tenants.service';

/**
 * Resolves a `{id}` path parameter naming a tenant, by id (`ten_…`) or by the platform's `uid`, to
 * the tenant id (404 when neither names one). Every `/v1/admin/tenants/{id}…` route uses it.
 */
@Injectable()
export class TenantRefPipe implements PipeTransform<string, Promise<string>> {
  constructor(private readonly tenants: TenantsService) {}

  transform(ref: string): Promise<string> {
    return this.tenants.resolve(ref);
  }
}
