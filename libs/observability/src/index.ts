export { METRICS_REGISTRY } from './metrics/metrics.constants';
export { createServiceRegistry, MetricsModule } from './metrics/metrics.module';
export type { MetricsModuleOptions } from './metrics/metrics.module';

export { HealthModule } from './health/health.module';
export type { HealthModuleAsyncOptions, HealthModuleOptions } from './health/health.module';
export type { ProbeOutcome, ReadinessProbe, ReadinessReport } from './health/readiness-probe';
export { ReadinessService } from './health/readiness.service';
export { DEFAULT_PROBE_TIMEOUT_MS, runProbes } from './health/run-probes';
export { kafkaReadinessProbe } from './health/kafka.probe';
export type { KafkaProbeOptions } from './health/kafka.probe';
export { postgresReadinessProbe } from './health/postgres.probe';
export type { PostgresProbeOptions, SqlQueryable } from './health/postgres.probe';
export { describeFailure, redactSecrets } from './health/redact';

export { DEFAULT_SCHEMA_WAIT_MS, LOG_LEVELS, readServiceConfig } from './service/service-config';
export type { LogLevelName, ServiceConfig, ServiceDefaults, ServiceName } from './service/service-config';
export { defaultProbes, SERVICE_CONFIG, ServiceRuntimeModule } from './service/service-runtime.module';
export type { ServiceRuntimeOptions } from './service/service-runtime.module';
export { createServiceLogger, nestLogLevels, ServiceLogger } from './service/service-logger';
export { bootstrapService, runService } from './service/bootstrap-service';
export type { BootstrapOptions, RunningService } from './service/bootstrap-service';
export { answerProtocolErrorsAsJson, defaultErrorBody, describeClientError } from './service/protocol-errors';
export type { ClientError, ErrorBodyWriter, ProtocolProblem } from './service/protocol-errors';

export { DOCS_PATH, OPENAPI_JSON_PATH, serveApiReference } from './docs/api-reference';
export {
  CREATED_PROPERTY,
  CREATED_TIME_SCHEMA,
  createdTimeSchema,
  finishApiDocument,
  operationId,
} from './docs/openapi-document';
