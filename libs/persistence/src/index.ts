import 'reflect-metadata';

export { ApiKeyEntity } from './entities/api-key.entity';
export { DeliveryAttemptEntity, RESPONSE_BODY_EXCERPT_MAX_BYTES } from './entities/delivery-attempt.entity';
export { DeliveryEntity } from './entities/delivery.entity';
export { EndpointEntity } from './entities/endpoint.entity';
export {
  BREAKER_STATES,
  EndpointBreakerEntity,
  type StoredBreakerState,
} from './entities/endpoint-breaker.entity';
export {
  BreakerStateReporter,
  readEndpointBreaker,
  type BreakerStateReporterOptions,
  type EndpointBreakerSummary,
} from './repositories/endpoint-breakers';
export { EndpointStatsMinuteEntity } from './entities/endpoint-stats-minute.entity';
export { EventEntity } from './entities/event.entity';
export { IdempotencyKeyEntity } from './entities/idempotency-key.entity';
export { OperatorKeyEntity } from './entities/operator-key.entity';
export { TenantEntity } from './entities/tenant.entity';
export { allEntities } from './entities/all-entities';
export { allMigrations } from './migrations/all-migrations';
export {
  DELIVERY_STATUSES,
  TERMINAL_DELIVERY_STATUSES,
  isTerminalDeliveryStatus,
  type DeliveryStatus,
} from './delivery-status';
export type { PersistenceConfig } from './persistence-config';
export { MIGRATIONS_TABLE, createDataSource } from './data-source.factory';
export { createScratchDatabase, type ScratchDatabase, type ScratchDatabaseOptions } from './scratch-database';
export {
  migrationStatus,
  revertAllMigrations,
  revertLastMigration,
  runMigrations,
  type MigrationState,
} from './migration-runner';
export {
  IdempotencyRepository,
  type IdempotencyClaim,
  type IdempotencyClaimRequest,
} from './repositories/idempotency.repository';
export type { AttemptRecord, AttemptRecorder, DeferralRecord } from './repositories/attempt-recorder';
export {
  DeliveryClaims,
  type AttemptClaim,
  type ClaimVerdict,
  type DeliveryClaimsOptions,
  type EventRecord,
  type FanOutClaim,
} from './repositories/delivery-claims';
export { isDataRefusal, isMissingPartition, postgresErrorCode } from './database-errors';
export {
  DAY_MS,
  DELIVERY_ID_PREFIX,
  deliveryIdBound,
  deliveryIdDay,
  deliveryIdFor,
  isoDay,
  labelledDeliveryId,
  utcDayStart,
} from './retention/record-day';
export {
  createDayPartitions,
  DAY_PARTITIONED_TABLES,
  dropDayPartitionsBefore,
  ensureDayPartitions,
  listDayPartitions,
  partitionName,
  withDayPartitions,
  type DayPartition,
  type Connectable,
  type DayPartitionedTable,
  type Queryable,
  type Transactional,
} from './retention/day-partitions';
export {
  deleteTenantRecordsBefore,
  tenantsWithShorterRetention,
  type ShorterRetention,
} from './retention/tenant-retention';
export {
  errorMessageExcerpt,
  REDACTED_VALUE,
  redactHeaders,
  redactRequestHeaders,
  utf8Excerpt,
} from './repositories/attempt-sanitizer';
export {
  BatchingAttemptRecorder,
  type BatchingAttemptRecorderOptions,
} from './repositories/batching-attempt-recorder';
export { BatchWriter, type BatchWriterOptions } from './repositories/batch-writer';
export {
  estimatePercentile,
  FAILURE_REASONS,
  failureReason,
  LATENCY_BUCKET_BOUNDS_MS,
  LATENCY_BUCKETS,
  latencyBucket,
  type FailureReason,
} from './repositories/endpoint-stats';
export {
  addToEndpointStats,
  pruneEndpointStats,
  readEndpointStats,
  type EndpointStatsRange,
  type EndpointStatsSums,
} from './repositories/endpoint-stats.repository';
export { endpointSnapshot } from './repositories/endpoint-snapshot';
export {
  endpointSealContext,
  endpointSecretsCurrent,
  headerField,
  openEndpointHeaders,
  openEndpointSecrets,
  openEndpointSnapshot,
  sealEndpointSecrets,
  type EndpointOwner,
  type EndpointSealedField,
  type EndpointSecretValues,
  type OpenedEndpointSnapshot,
} from './repositories/endpoint-secrets';
export {
  resealEndpointSecrets,
  type ResealCounts,
  type ResealMode,
  type ResealOptions,
} from './repositories/endpoint-secrets.resealer';
export { disableEndpoint, type EndpointDisableOutcome } from './repositories/endpoint-disable.repository';
export {
  awaitSchema,
  builtMigrations,
  checkSchema,
  SchemaBehindError,
  type AwaitSchemaOptions,
  type CheckSchemaOptions,
  type SchemaCheck,
} from './schema-check';
