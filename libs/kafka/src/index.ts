export { createKafka, kafkaConnection } from './kafka.client';
export type { CreateKafkaOptions, KafkaConfig, KafkaSaslConfig, KafkaTlsConfig } from './kafka.client';
export { createLogCreator, KAFKA_LOG_LEVELS, stderrKafkaLogger } from './kafka-log.adapter';
export type { KafkaLogger, KafkaLogLevel, KafkaLogRecord } from './kafka-log.adapter';
export { readKafkaConfig } from './read-kafka-config';
export {
  declareTopics,
  DEAD_LETTER_RETENTION_MS,
  DEFAULT_EVENT_PARTITIONS,
  DEFAULT_PARTITIONS,
  INGEST_INVALID_RETENTION_MS,
  REPLAY_RETENTION_MS,
  retryTierRetentionMs,
} from './topics';
export type { DeclaredTopic, DeclareTopicsOptions, TopicRole, TopicSpec } from './topics';
export {
  describeEnsureTopicsReport,
  diffConfigs,
  ensureTopics,
  ensureTopicsOnCluster,
} from './ensure-topics';
export type { ConfigChange, EnsureTopicsReport, TopicAdmin, TopicChange, TopicDrift } from './ensure-topics';
export { createIngestProducer, EVENT_TYPE_HEADER, ingestKey, TENANT_ID_HEADER } from './ingest.producer';
export type { IngestProducer, IngestProducerOptions, PublishedBatch, PublishResult } from './ingest.producer';
export { ConsumerLagMonitor } from './consumer-lag.monitor';
export type { ConsumerLagMonitorOptions } from './consumer-lag.monitor';
export { retryRetriable } from './retry-retriable';
export { isProducerStateLost, renewingProducer } from './renewing-producer';
export { ConsumerSupervisor } from './consumer-supervisor';
export type { ConsumerSupervisorOptions } from './consumer-supervisor';
