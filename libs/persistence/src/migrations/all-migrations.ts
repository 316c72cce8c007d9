import { InitialSchema1763900000000 } from './1763900000000-initial-schema';
import { IdempotencyResponse1764000000000 } from './1764000000000-idempotency-response';
import { UndeliveredIndex1764100000000 } from './1764100000000-undelivered-index';
import { DeliveryIntegrity1764200000000 } from './1764200000000-delivery-integrity';
import { IdempotencyClaims1765000000000 } from './1765000000000-idempotency-claims';
import { EndpointStats1765100000000 } from './1765100000000-endpoint-stats';
import { DayPartitions1765200000000 } from './1765200000000-day-partitions';
import { EndpointBreakers1765300000000 } from './1765300000000-endpoint-breakers';
import { TenantAdmin1765400000000 } from './1765400000000-tenant-admin';

/** Every migration in the order it must run; append new ones, never edit a released one. */
export const allMigrations = [
  InitialSchema1763900000000,
  IdempotencyResponse1764000000000,
  UndeliveredIndex1764100000000,
  DeliveryIntegrity1764200000000,
  IdempotencyClaims1765000000000,
  EndpointStats1765100000000,
  DayPartitions1765200000000,
  EndpointBreakers1765300000000,
  TenantAdmin1765400000000,
] as const;
