import { ApiKeyEntity } from './api-key.entity';
import { DeliveryAttemptEntity } from './delivery-attempt.entity';
import { DeliveryEntity } from './delivery.entity';
import { EndpointBreakerEntity } from './endpoint-breaker.entity';
import { EndpointEntity } from './endpoint.entity';
import { EndpointStatsMinuteEntity } from './endpoint-stats-minute.entity';
import { EventEntity } from './event.entity';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { OperatorKeyEntity } from './operator-key.entity';
import { TenantEntity } from './tenant.entity';

/** Every entity class, for a DataSource's `entities`. */
export const allEntities = [
  TenantEntity,
  ApiKeyEntity,
  EndpointEntity,
  EventEntity,
  DeliveryEntity,
  DeliveryAttemptEntity,
  IdempotencyKeyEntity,
  EndpointStatsMinuteEntity,
  EndpointBreakerEntity,
  OperatorKeyEntity,
] as const;
